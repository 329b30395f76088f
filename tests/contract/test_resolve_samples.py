"""What the help page's samples say: scalar kinds and the JSON date format."""

from __future__ import annotations

import pytest

from contract.clr import Primitive
from contract.endpoint import JsonDateFormat
from contract.samples import (
    SampleError,
    clr_namespace_of,
    confirm_xml_scalar,
    decide_json_date_format,
    infer_scalar,
)


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


def test_confirm_xml_scalar_rejects_a_text_of_another_type() -> None:
    confirm_xml_scalar(Primitive.GUID, "aa122594-478b-4b0a-ab1f-2fdd307930b5", where="X.Id")
    with pytest.raises(SampleError, match=r"X.Id: the JSON sample implies System.Guid .* '12'"):
        confirm_xml_scalar(Primitive.GUID, "12", where="X.Id")


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
