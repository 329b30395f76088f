"""What a help page's response samples reveal about the types they show.

HelpPage builds its samples with ``ObjectGenerator``: every member of a complex type gets a
placeholder value (``"sample string N"``, consecutive integers ``N``, ``true``, a random
GUID, ``DateTime.Now``, decimals ``N``, doubles ``N.1``, collections of two items) and
the formatters serialize it. So a JSON sample lists a type's members in declaration order
with a value whose shape tells the member's type, and the XML sample puts each member in
its type's data-contract namespace and writes the lexical form of its XSD type. This
module reads those facts; :mod:`contract.compiler.resolve` decides what to do with them.

Limits: an integer could be any CLR integer type (Int32 is assumed); a number with a
fraction is a Double unless its fraction is zero (Decimal); a nested object without a
model table has no name in either sample; a null, an empty collection or a dictionary
says nothing about its type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from lxml import etree

from contract.clr import GUID_D_PATTERN, Primitive
from contract.datacontract import DATACONTRACT_BASE_NS
from contract.endpoint import JsonDateFormat
from contract.netdatetime import NetDateTime

__all__ = [
    "SampleError",
    "SampleInstance",
    "clr_namespace_of",
    "decide_json_date_format",
    "infer_scalar",
    "parse_json_sample",
    "parse_xml_sample",
    "reconcile_scalar",
]

_GUID = re.compile(f"^{GUID_D_PATTERN}$", re.IGNORECASE)
_DATE = re.compile(JsonDateFormat.ROUND_TRIP.pattern)
_TIME_SPAN = re.compile(r"^-?(\d+\.)?\d{2}:\d{2}:\d{2}(\.\d{1,7})?$")
_URI = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|^-?INF$|^NaN$")
_WALL_CLOCK_Z = re.compile(JsonDateFormat.WALL_CLOCK_Z.pattern)

Scalar = str | bool | int | float
"""A JSON sample's scalar value, as :func:`json.loads` gives it."""


class SampleError(ValueError):
    """A sample that contradicts itself, the other sample, or the model tables."""


@dataclass(frozen=True)
class SampleInstance:
    """One value as both samples show it: the JSON value and the XML element, if any.

    ``has_json`` tells an absent JSON value from a JSON ``null``.
    """

    json_value: Any = None
    has_json: bool = False
    xml: etree._Element | None = None

    def member(self, name: str) -> SampleInstance:
        """The value of data member ``name`` (a JSON property, an XML child element)."""
        has_json = isinstance(self.json_value, dict) and name in self.json_value
        json_value = self.json_value[name] if has_json else None
        element = None
        if self.xml is not None:
            element = next((c for c in _children(self.xml) if _local(c) == name), None)
        return SampleInstance(json_value, has_json, element)

    def first_item(self) -> SampleInstance:
        """The first item of a collection (ObjectGenerator writes two identical ones)."""
        items = self.json_value if isinstance(self.json_value, list) else []
        children = _children(self.xml) if self.xml is not None else []
        return SampleInstance(
            items[0] if items else None, bool(items), children[0] if children else None
        )

    def xml_text(self) -> str | None:
        """The element's text, or None when there is no element or it is ``i:nil``."""
        if self.xml is None or self.xml.get(_NIL) == "true":
            return None
        return (self.xml.text or "").strip()


_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


def _children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str)]


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def parse_json_sample(text: str) -> Any:
    """The JSON sample as Python values, objects keeping their member order."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise SampleError(f"the JSON sample is not JSON: {error}") from None


def parse_xml_sample(text: str) -> etree._Element:
    """The XML sample's root element, read without DTDs, entities or network access."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as error:
        raise SampleError(f"the XML sample is not well-formed XML: {error}") from None


def clr_namespace_of(namespace_uri: str) -> str:
    """The CLR namespace of a data-contract namespace (``http://schemas.datacontract.org/2004/07/N``)."""
    if not namespace_uri.startswith(DATACONTRACT_BASE_NS):
        raise SampleError(f"{namespace_uri!r} is not a data-contract namespace")
    return unquote(namespace_uri.removeprefix(DATACONTRACT_BASE_NS))


def infer_scalar(value: str | bool | int | float) -> Primitive:
    """The CLR type ObjectGenerator's placeholder ``value`` implies (see the module limits)."""
    if isinstance(value, bool):
        return Primitive.BOOLEAN
    if isinstance(value, int):
        return Primitive.INT32
    if isinstance(value, float):
        return Primitive.DECIMAL if value.is_integer() else Primitive.DOUBLE
    return _infer_string(value)


def _infer_string(value: str) -> Primitive:
    for pattern, primitive in (
        (_GUID, Primitive.GUID),
        (_DATE, Primitive.DATETIME),
        (_TIME_SPAN, Primitive.TIMESPAN),
        (_URI, Primitive.URI),
    ):
        if pattern.match(value):
            return primitive
    # ObjectGenerator's Char is 'A'; its strings are "sample string N".
    return Primitive.CHAR if len(value) == 1 else Primitive.STRING


_BOOLEAN = re.compile(r"^(true|false|1|0)$")
# xs:duration, DataContractSerializer's form of a TimeSpan (``PT0.1234567S``).
_DURATION = re.compile(r"^-?P(?=\d|T\d)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
_SAMPLES = ("the JSON sample", "the XML sample")


def reconcile_scalar(
    json_value: Scalar,
    xml_text: str | None,
    *,
    where: str,
    samples: tuple[str, str] = _SAMPLES,
) -> Primitive:
    """The CLR type of a member both samples show, when they agree on it.

    HelpPage writes one sample object with every formatter, so the XML sample holds the
    JSON sample's value, in the XSD form of the same type. The JSON value proposes the type
    (:func:`infer_scalar`) and the XML text must be that value in that type's form: the
    same number, GUID or text, a date, a duration. A one-character JSON string is a Char
    when the XML text is its UTF-16 code (DataContractSerializer writes System.Char as a
    number) and a String when it is the same text. Anything else means the samples
    disagree on the member: a SampleError naming ``where`` (the member), both values and
    ``samples`` (how the message names the two samples, e.g. with their lines). Without an
    XML sample (``xml_text`` None) the JSON value decides alone.
    """
    primitive = infer_scalar(json_value)
    if xml_text is None:
        return primitive
    if primitive is Primitive.CHAR:
        return _char_or_string(json_value, xml_text, where=where, samples=samples)
    if not _same_value(primitive, json_value, xml_text):
        raise _disagreement(
            json_value, xml_text, f"not the XML form of that {primitive.value}", where, samples
        )
    return primitive


def _char_or_string(
    json_value: Scalar, xml_text: str, *, where: str, samples: tuple[str, str]
) -> Primitive:
    assert isinstance(json_value, str)  # only a one-character string reads as a Char
    if xml_text == json_value:
        return Primitive.STRING
    if xml_text == str(ord(json_value)):
        return Primitive.CHAR
    reason = (
        f"neither that text (a System.String) nor its UTF-16 code {ord(json_value)}"
        " (a System.Char, which DataContractSerializer writes as a number)"
    )
    raise _disagreement(json_value, xml_text, reason, where, samples)


def _same_value(primitive: Primitive, json_value: Scalar, text: str) -> bool:
    """Whether ``text`` is ``json_value`` in the XML form of ``primitive``; dates and
    durations are checked for their form only (the date format is decided elsewhere)."""
    check = _SAME_VALUE.get(primitive, _same_text)
    return check(json_value, text)


def _same_text(json_value: Scalar, text: str) -> bool:
    return str(json_value).strip() == text


def _same_boolean(json_value: Scalar, text: str) -> bool:
    return _BOOLEAN.match(text) is not None and (text in ("true", "1")) == json_value


def _same_integer(json_value: Scalar, text: str) -> bool:
    return _INTEGER.match(text) is not None and int(text) == json_value


def _same_number(json_value: Scalar, text: str) -> bool:
    return _NUMBER.match(text) is not None and float(text) == json_value


def _same_guid(json_value: Scalar, text: str) -> bool:
    return str(json_value).lower() == text.lower()


_SAME_VALUE: dict[Primitive, Callable[[Scalar, str], bool]] = {
    Primitive.BOOLEAN: _same_boolean,
    Primitive.INT32: _same_integer,
    Primitive.DECIMAL: _same_number,
    Primitive.DOUBLE: _same_number,
    Primitive.GUID: _same_guid,
    Primitive.DATETIME: lambda _, text: _DATE.match(text) is not None,
    Primitive.TIMESPAN: lambda _, text: _DURATION.match(text) is not None,
}


def _disagreement(
    json_value: object, xml_text: str, reason: str, where: str, samples: tuple[str, str]
) -> SampleError:
    json_sample, xml_sample = samples
    return SampleError(
        f"{where}: {json_sample} and {xml_sample} disagree on the member's type:"
        f" JSON {json.dumps(json_value)} against XML {xml_text!r}, which is {reason}"
    )


def decide_json_date_format(
    pairs: Sequence[tuple[str, str | None, str]], *, has_datetime: bool
) -> JsonDateFormat:
    """The JSON date format from (JSON text, XML text, member) pairs of the same DateTime.

    ``yyyy-MM-ddTHH:mm:ssZ`` in JSON for an XML value with a fraction or a local offset
    but the same wall clock means WALL_CLOCK_Z; so does that JSON form with no XML value to
    compare (no XML sample): HelpPage's sample date is ``DateTime.Now``, local and with
    a 100 ns fraction, which Json.NET's default writes with the fraction and an offset.
    A fraction or an offset in JSON means Json.NET's ROUND_TRIP. Samples that decide
    nothing are an error when the contract has a DateTime; a contract without one gets
    ROUND_TRIP (Json.NET's default).
    """
    decided = [_decide_one(json_text, xml_text, where) for json_text, xml_text, where in pairs]
    decisions = {decision for decision in decided if decision is not None}
    if len(decisions) > 1:
        raise SampleError("the JSON sample writes dates in two different formats")
    if decisions:
        return decisions.pop()
    if has_datetime:
        raise SampleError(
            "cannot decide the JSON date format: no DateTime appears in both the JSON and "
            "the XML sample in a form that tells Json.NET's round-trip format from "
            "yyyy-MM-ddTHH:mm:ssZ"
        )
    return JsonDateFormat.ROUND_TRIP


def _decide_one(json_text: str, xml_text: str | None, where: str) -> JsonDateFormat | None:
    if not _DATE.match(json_text):
        raise SampleError(f"{where}: {json_text!r} in the JSON sample is not a date")
    if not _WALL_CLOCK_Z.match(json_text):
        return JsonDateFormat.ROUND_TRIP
    if xml_text is None:
        return JsonDateFormat.WALL_CLOCK_Z
    try:
        xml_value = NetDateTime.parse(xml_text)
    except ValueError as error:
        raise SampleError(f"{where}: the XML sample's date is invalid: {error}") from None
    if xml_value.wall_clock_z() != json_text:
        raise SampleError(
            f"{where}: the JSON sample ({json_text}) and the XML sample ({xml_text}) show "
            "different wall-clock times"
        )
    return None if xml_value.round_trip() == json_text else JsonDateFormat.WALL_CLOCK_Z
