"""What the help page's samples say: scalar kinds and the JSON date format."""

from __future__ import annotations

import pytest

from contract.clr import Primitive
from contract.compiler.samples import (
    SampleError,
    clr_namespace_of,
    decide_json_date_format,
    infer_scalar,
    reconcile_scalar,
)
from contract.endpoint import JsonDateFormat


@pytest.mark.parametrize(
    ("value", "primitive"),
    [
        (True, Primitive.BOOLEAN),
        (8, Primitive.INT32),
        (3.0, Primitive.DECIMAL),
        (3.1, Primitive.DOUBLE),
        ("sample string 4", Primitive.STRING),
        ("aa122594-478b-4b0a-ab1f-2fdd307930b5", Primitive.GUID),
        ("2025-12-14T19:20:43Z", Primitive.DATETIME),
        ("2025-12-14T19:20:43.1992775+02:00", Primitive.DATETIME),
        ("00:00:00.1234567", Primitive.TIMESPAN),
        ("http://webapihelppage1.com/", Primitive.URI),
        ("A", Primitive.CHAR),
    ],
)
def test_infer_scalar_reads_object_generator_placeholders(
    value: str | bool | int | float, primitive: Primitive
) -> None:
    assert infer_scalar(value) is primitive


@pytest.mark.parametrize(
    ("value", "xml_text", "primitive"),
    [
        ("A", "65", Primitive.CHAR),  # DataContractSerializer writes a Char as its code
        ("A", "A", Primitive.STRING),
        ("sample string 4", "sample string 4", Primitive.STRING),
        (8, "8", Primitive.INT32),
        (True, "true", Primitive.BOOLEAN),
        (3.0, "3", Primitive.DECIMAL),
        (3.1, "3.1", Primitive.DOUBLE),
        ("AA122594-478B-4B0A-AB1F-2FDD307930B5", "aa122594-478b-4b0a-ab1f-2fdd307930b5",
         Primitive.GUID),
        ("2025-12-14T19:20:43Z", "2025-12-14T19:20:43.1992775+02:00", Primitive.DATETIME),
        ("00:00:00.1234567", "PT0.1234567S", Primitive.TIMESPAN),
        ("sample string 4", None, Primitive.STRING),
        ("A", None, Primitive.CHAR),
    ],
)  # fmt: skip
def test_reconcile_scalar_takes_the_type_both_samples_agree_on(
    value: str | bool | int | float, xml_text: str | None, primitive: Primitive
) -> None:
    assert reconcile_scalar(value, xml_text, where="X.A") is primitive


@pytest.mark.parametrize(
    ("value", "xml_text", "says"),
    [
        ("x", "8", "neither that text (a System.String) nor its UTF-16 code 120"),
        ("sample string 4", "8", "not the XML form of that System.String"),
        (8, "sample string 8", "not the XML form of that System.Int32"),
        (8, "9", "not the XML form of that System.Int32"),
        (True, "8", "not the XML form of that System.Boolean"),
        ("aa122594-478b-4b0a-ab1f-2fdd307930b5", "12", "not the XML form of that System.Guid"),
        ("2025-12-14T19:20:43Z", "8", "not the XML form of that System.DateTime"),
        ("00:00:00.1", "00:00:00.1", "not the XML form of that System.TimeSpan"),
    ],
)
def test_reconcile_scalar_refuses_samples_that_disagree_naming_both(
    value: str | bool | int | float, xml_text: str, says: str
) -> None:
    with pytest.raises(SampleError) as raised:
        reconcile_scalar(value, xml_text, where="X.A", samples=("JSON (line 3)", "XML (line 9)"))
    message = str(raised.value)
    assert message.startswith("X.A: JSON (line 3) and XML (line 9) disagree on the member's type")
    assert f"against XML {xml_text!r}" in message and says in message


def test_clr_namespace_of_refuses_other_namespaces() -> None:
    assert clr_namespace_of("http://schemas.datacontract.org/2004/07/Acme.Shop") == "Acme.Shop"
    with pytest.raises(SampleError, match="'urn:x' is not a data-contract namespace"):
        clr_namespace_of("urn:x")


def test_date_format_wall_clock_z_when_json_drops_fraction_and_offset() -> None:
    pairs = [("2025-12-14T19:20:43Z", "2025-12-14T19:20:43.1992775+02:00", "X.At")]
    assert decide_json_date_format(pairs, has_datetime=True) is JsonDateFormat.WALL_CLOCK_Z


def test_date_format_utc_whole_second_in_both_samples_decides_nothing() -> None:
    pairs = [("2025-12-14T19:20:43Z", "2025-12-14T19:20:43Z", "X.At")]
    with pytest.raises(SampleError, match="cannot decide the JSON date format"):
        decide_json_date_format(pairs, has_datetime=True)


def test_date_format_without_datetime_members_is_round_trip() -> None:
    assert decide_json_date_format([], has_datetime=False) is JsonDateFormat.ROUND_TRIP


def test_date_format_json_only_z_sample_without_xml_is_wall_clock_z() -> None:
    # HelpPage's sample date is DateTime.Now: Json.NET's default would show its fraction.
    decided = decide_json_date_format([("2025-12-14T19:20:43Z", None, "X.At")], has_datetime=True)
    assert decided is JsonDateFormat.WALL_CLOCK_Z


def test_date_format_z_sample_that_both_formats_write_alike_is_undecided() -> None:
    # A UTC value with no fraction is written the same by both formats: no evidence.
    pairs = [("2025-12-14T19:20:43Z", "2025-12-14T19:20:43Z", "X.At")]
    with pytest.raises(SampleError, match="cannot decide"):
        decide_json_date_format(pairs, has_datetime=True)


def test_date_format_two_formats_in_one_sample_is_an_error() -> None:
    pairs = [
        ("2025-12-14T19:20:43Z", "2025-12-14T19:20:43.5+02:00", "X.A"),
        ("2025-12-14T19:20:43.5+02:00", "2025-12-14T19:20:43.5+02:00", "X.B"),
    ]
    with pytest.raises(SampleError, match="two different formats"):
        decide_json_date_format(pairs, has_datetime=True)


def test_date_format_json_text_that_is_no_date_is_an_error() -> None:
    with pytest.raises(SampleError, match=r"X\.At: 'soon' in the JSON sample is not a date"):
        decide_json_date_format([("soon", None, "X.At")], has_datetime=True)
