"""pytest plugin: ``pytest --conformance-url URL`` runs the suite as one test per rule.

Registered under the ``pytest11`` entry point. Without ``--conformance-url`` it adds its
options and does nothing else; the suite itself is imported only when a run is asked for.
Options mirror the CLI's, prefixed ``--conformance-`` so that they cannot clash with other
plugins (``--timeout`` belongs to pytest-timeout). A failed rule fails its test with every
failure's ``Received: ... / Contract: ...``; a rule that could not run is skipped with the
reason. The session-scoped fixture ``conformance_report`` gives the report to your own
tests; override ``conformance_settings`` to build the settings yourself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

# Stdlib-only modules: the plugin's import stays cheap.
from conformance.options import DEFAULT_MAX_CALLS, DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from conformance.options import Settings
    from conformance.report import Report, RuleOutcome

__all__ = ["conformance_report", "conformance_settings", "outcomes_of"]

_REPORT_KEY = pytest.StashKey["Report"]()
_FLAGS = (
    ("allow-side-effects", "allow POSTs to the route (they re-send real invoices)"),
    ("dry-run", "list the requests, send nothing"),
    ("insecure", "do not verify TLS certificates"),
)
_VALUES = (
    (
        "max-calls",
        int,
        f"at most this many POSTs (default {DEFAULT_MAX_CALLS}; order: see"
        " retry-conformance run --help)",
    ),
    ("reset", str, "'METHOD URL' that puts the target into a known state"),
    ("timeout", float, f"total seconds per request (default {DEFAULT_TIMEOUT:g})"),
    ("max-bytes", int, "largest response body read"),
    ("bearer-token-env", str, "send Authorization: Bearer $VAR"),
    ("basic-auth-env", str, "basic auth from $VAR = user:password"),
    ("ca-bundle", str, "CA certificates to trust"),
    ("client-cert", str, "client certificate (PEM with key)"),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--conformance-url`` and the safety options."""
    group = parser.getgroup("conformance", "retry endpoint conformance suite")
    group.addoption("--conformance-url", metavar="URL", help="check the target at URL")
    group.addoption(
        "--conformance-header",
        action="append",
        metavar="'Name: value'",
        help="header sent on every request (repeatable)",
    )
    for name, help_text in _FLAGS:
        group.addoption(f"--conformance-{name}", action="store_true", help=help_text)
    for name, kind, help_text in _VALUES:
        group.addoption(f"--conformance-{name}", type=kind, help=help_text)


def _option(config: pytest.Config, name: str) -> Any:
    return config.getoption(f"conformance_{name.replace('-', '_')}")


def settings_from_config(config: pytest.Config) -> Settings:
    """The suite's settings from the ``--conformance-*`` options (OptionsError if bad)."""
    from conformance.options import build_settings  # noqa: PLC0415 - keep the plugin's import cheap

    names = [name for name, _ in _FLAGS] + [name for name, _, _ in _VALUES]
    raw = {name.replace("-", "_"): _option(config, name) for name in names}
    return build_settings(base_url=_option(config, "url"), headers=_option(config, "header"), **raw)


def pytest_configure(config: pytest.Config) -> None:
    """Fail fast, with the option's message, when the options are invalid."""
    if _option(config, "url") is None:
        return
    from conformance.failures import OptionsError  # noqa: PLC0415

    try:
        settings_from_config(config)
    except OptionsError as error:
        raise pytest.UsageError(str(error)) from None


def _report(config: pytest.Config) -> Report:
    if _REPORT_KEY not in config.stash:
        from conformance.runner import run_suite  # noqa: PLC0415

        config.stash[_REPORT_KEY] = run_suite(settings_from_config(config))
    return config.stash[_REPORT_KEY]


def outcomes_of(report: Report, rule: str) -> list[RuleOutcome]:
    """The outcomes behind one test: the rule's own, or for ``schemathesis.*`` every
    ``schemathesis.<check>`` outcome (the report lists the failed checks instead)."""
    if rule.endswith(".*"):
        family = rule.removesuffix("*")
        return [outcome for outcome in report.outcomes if outcome.rule.startswith(family)]
    return [report.outcome(rule)]


class ConformanceRuleItem(pytest.Item):
    """One rule of the suite as a test."""

    def __init__(self, *, rule: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule = rule

    def runtest(self) -> None:
        """Fail with the rule's failures, skip when it did not run."""
        report = _report(self.config)
        if report.fatal is not None:
            pytest.fail(f"the suite could not run: {report.fatal}", pytrace=False)
        outcomes = outcomes_of(report, self.rule)
        failures = [failure for outcome in outcomes for failure in outcome.failures]
        if failures:
            raise AssertionError("\n\n".join(f.message for f in failures))
        if all(outcome.status == "not run" for outcome in outcomes):
            reasons = [reason for outcome in outcomes for reason in outcome.reasons]
            pytest.skip("not run: " + "; ".join(reasons))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """The failures' own text, no traceback into the suite."""
        return str(excinfo.value)

    def reportinfo(self) -> tuple[str, int | None, str]:
        """Shown in the test summary."""
        return "conformance", None, f"conformance rule {self.rule}"


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Add one test per rule when ``--conformance-url`` is given."""
    if _option(config, "url") is None:
        return
    from conformance.rules import RULES  # noqa: PLC0415

    for rule in RULES:
        items.append(
            ConformanceRuleItem.from_parent(session, name=f"conformance[{rule}]", rule=rule)
        )


@pytest.fixture(scope="session")
def conformance_settings(pytestconfig: pytest.Config) -> Settings:
    """The suite's settings from the command line; override it to build your own."""
    if _option(pytestconfig, "url") is None:
        pytest.skip("no --conformance-url given")
    return settings_from_config(pytestconfig)


@pytest.fixture(scope="session")
def conformance_report(pytestconfig: pytest.Config, conformance_settings: Settings) -> Report:
    """The report of the run for ``conformance_settings`` (run once per session)."""
    from conformance.runner import run_suite  # noqa: PLC0415

    if (
        _option(pytestconfig, "url") is not None
        and settings_from_config(pytestconfig) == conformance_settings
    ):
        return _report(pytestconfig)
    return run_suite(conformance_settings)
