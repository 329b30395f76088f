"""The package's public surface: every exported name resolves, rules are the canonical
list, failures read ``Received / Contract``, and redaction masks secrets."""

from __future__ import annotations

import html
import importlib
import json
import pkgutil

import pytest

import conformance
from conformance.failures import Failure, HttpFailure
from conformance.redact import MASK, MIN_PREFIX, Redactor
from conformance.report import Report, RequestLog, RuleOutcome
from conformance.rules import RULES


@pytest.mark.parametrize("name", conformance.__all__)
def test_package_exports_resolve(name: str) -> None:
    assert getattr(conformance, name) is not None


def test_every_module_declares_all() -> None:
    modules = [m.name for m in pkgutil.walk_packages(conformance.__path__, "conformance.")]
    missing = [name for name in modules if not hasattr(importlib.import_module(name), "__all__")]
    assert missing == []


def test_rules_cover_every_family_in_canonical_order() -> None:
    families = list(dict.fromkeys(rule.split(".")[0] for rule in RULES))
    assert families == ["transport", "http", "json", "xml", "cross", "state", "schemathesis"]
    assert len(RULES) == 36


def test_failure_message_reads_received_then_contract() -> None:
    failure = Failure(
        rule="json.type", expected="a boolean", received="number 1", location="/Sucess"
    )
    assert isinstance(failure, AssertionError)
    assert failure.message.endswith("Received: number 1 / Contract: a boolean")
    assert "[json.type]" in str(failure)
    assert "/Sucess" in str(failure)


def test_redactor_masks_secrets_and_sensitive_headers() -> None:
    redactor = Redactor(["s3cret"], secret_headers=["X-Key"])
    assert redactor.text("token=s3cret;") == "token=***;"
    assert redactor.header("Cookie", "a=b") == "***"
    assert redactor.header("x-key", "anything") == "***"
    assert redactor.header("Accept", "text/xml") == "text/xml"


SECRET = 'tok-"5f1c9a0b7e\\d2'


@pytest.mark.parametrize(
    "shown",
    [
        f"token={SECRET};",  # as sent
        json.dumps({"Message": SECRET}),  # escaped as JSON
        repr(f"status 500: {SECRET}"),  # escaped by repr
        f"<Message>{html.escape(SECRET)}</Message>",  # escaped as XML
        f"string {SECRET[:10]}...",  # cut short by a snippet
    ],
    ids=["raw", "json", "repr", "xml", "cut"],
)
def test_redactor_masks_a_secret_however_a_message_spells_it(shown: str) -> None:
    masked = Redactor([SECRET]).text(shown)
    assert SECRET[:MIN_PREFIX] not in masked
    assert MASK in masked


def test_redactor_leaves_text_that_shares_less_than_the_minimum_prefix() -> None:
    text = f"{SECRET[: MIN_PREFIX - 1]} and tok-other"
    assert Redactor([SECRET]).text(text) == text


def _leaky_report(secret: str) -> Report:
    failure = HttpFailure(
        rule="http.server-error",
        title=f"title {secret}",
        expected=f"expected {secret}",
        received=f"received {secret}",
        location=f"/{secret}",
        request=f"GET /x [X-Key: {secret}]",
    )
    outcome = RuleOutcome("http.server-error", "title", "failed", [failure], [f"why {secret}"])
    log = [RequestLog(f"GET /{secret}", f"500 {secret}")]
    return Report(f"http://h/{secret}", [outcome], log, log, 1, fatal=f"fatal {secret}")


def test_redacted_report_holds_no_secret_in_any_field_and_keeps_rule_ids() -> None:
    secret = "s3cret-value-1234"
    report = _leaky_report(secret).redacted(Redactor([secret]).text)
    (failure,) = report.failures
    assert secret not in json.dumps(report.as_dict())
    assert secret not in str(failure) and secret not in failure.message
    assert isinstance(failure, HttpFailure)
    assert (failure.rule, report.failed_rules) == ("http.server-error", ["http.server-error"])
    assert failure.received == f"received {MASK}"
