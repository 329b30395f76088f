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
from conformance.option_table import OPTIONS, plugin_names

if TYPE_CHECKING:
    from conformance.option_table import RunOptions
    from conformance.options import Settings
    from conformance.report import Report, RuleOutcome

__all__ = ["conformance_report", "conformance_settings", "outcomes_of"]

_REPORT_KEY = pytest.StashKey["Report"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register every option of the suite's table as ``--conformance-NAME``."""
    group = parser.getgroup("conformance", "retry endpoint conformance suite")
    for spec in OPTIONS:
        names = plugin_names(spec)
        if spec.action == "flag":
            group.addoption(*names, action="store_true", dest=_dest(spec.dest), help=spec.help)
        else:
            action = "append" if spec.action == "append" else "store"
            group.addoption(
                *names, action=action, dest=_dest(spec.dest), metavar=spec.metavar, help=spec.help
            )


def _dest(name: str) -> str:
    return f"conformance_{name}"


def _url(config: pytest.Config) -> str | None:
    url: str | None = config.getoption(_dest("base_url"))
    return url


def options_from_config(config: pytest.Config) -> RunOptions:
    """The suite's validated options from ``--conformance-*`` (OptionsError if bad)."""
    from conformance.option_table import run_options  # noqa: PLC0415 - keep the import cheap

    return run_options({spec.dest: config.getoption(_dest(spec.dest)) for spec in OPTIONS})


def settings_from_config(config: pytest.Config) -> Settings:
    """The suite's settings from the ``--conformance-*`` options (OptionsError if bad)."""
    return options_from_config(config).settings


def pytest_configure(config: pytest.Config) -> None:
    """Fail fast, with the option's message, when the options are invalid."""
    if _url(config) is None:
        return
    from conformance.failures import OptionsError  # noqa: PLC0415

    try:
        options_from_config(config)
    except OptionsError as error:
        raise pytest.UsageError(str(error)) from None


def _report(config: pytest.Config) -> Report:
    if _REPORT_KEY not in config.stash:
        config.stash[_REPORT_KEY] = _run(config, options_from_config(config))
    return config.stash[_REPORT_KEY]


def _run(config: pytest.Config, options: RunOptions) -> Report:
    """Run the suite once, printing progress lines (unless quiet) past pytest's capture,
    and write the reports the options ask for. The suite's own errors (a failed reset,
    a base URL that holds the route) become the report's fatal reason."""
    from conformance.failures import ConformanceError  # noqa: PLC0415
    from conformance.output import write_reports  # noqa: PLC0415
    from conformance.report import Report  # noqa: PLC0415
    from conformance.runner import run_suite  # noqa: PLC0415

    terminal = config.pluginmanager.get_plugin("terminalreporter")
    progress = None
    if terminal is not None and not options.outputs.quiet:
        progress = terminal.write_line
    try:
        report = run_suite(options.settings, progress=progress)
    except ConformanceError as error:
        return Report(options.settings.base_url, [], fatal=str(error))
    write_reports(report, options.outputs)
    return report


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
        """Fail with the rule's grouped failures; skip when it did not run (fail, with
        ``--conformance-strict``)."""
        from conformance.output import failure_lines  # noqa: PLC0415

        report = _report(self.config)
        if report.fatal is not None:
            pytest.fail(f"the suite could not run: {report.fatal}", pytrace=False)
        outcomes = outcomes_of(report, self.rule)
        failed = [outcome for outcome in outcomes if outcome.failures]
        if failed:
            raise AssertionError(
                "\n\n".join("\n".join([f"[{o.rule}] {o.title}", *failure_lines(o)]) for o in failed)
            )
        if all(outcome.status == "not run" for outcome in outcomes):
            reasons = "; ".join(reason for outcome in outcomes for reason in outcome.reasons)
            if report.strict:
                pytest.fail(f"not run (--conformance-strict): {reasons}", pytrace=False)
            pytest.skip("not run: " + reasons)

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
    if _url(config) is None:
        return
    from conformance.rules import RULES  # noqa: PLC0415

    for rule in RULES:
        items.append(
            ConformanceRuleItem.from_parent(session, name=f"conformance[{rule}]", rule=rule)
        )


@pytest.fixture(scope="session")
def conformance_settings(pytestconfig: pytest.Config) -> Settings:
    """The suite's settings from the command line; override it to build your own."""
    if _url(pytestconfig) is None:
        pytest.skip("no --conformance-url given")
    return settings_from_config(pytestconfig)


@pytest.fixture(scope="session")
def conformance_report(pytestconfig: pytest.Config, conformance_settings: Settings) -> Report:
    """The report of the run for ``conformance_settings`` (run once per session)."""
    from conformance.runner import run_suite  # noqa: PLC0415

    if (
        _url(pytestconfig) is not None
        and settings_from_config(pytestconfig) == conformance_settings
    ):
        return _report(pytestconfig)
    return run_suite(conformance_settings)
