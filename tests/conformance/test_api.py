"""The package's public surface: every exported name resolves, rules are the canonical
list, failures read ``Received / Contract``, and redaction masks secrets."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import conformance
from conformance.failures import Failure
from conformance.redact import Redactor
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
