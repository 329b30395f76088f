"""Byte-exact wire serializers for the contract's response type, and readers back.

The public API: :class:`ResponseWriter` (DataContractSerializer XML and Json.NET JSON, as
ASP.NET Web API 2 writes them; :class:`XmlNewline` the newline of XML text, CRLF as on the
service's Windows host), :func:`write_http_error` (Web API's ``HttpError`` body),
:func:`values_from_json` (the golden ``.values.json`` form), :func:`read_json` and
:func:`read_xml` (response bodies into wire values) and :func:`comparable` (the common
precision of both formats). Wire values are described in :mod:`contract.wire.values`.
"""

from __future__ import annotations

from contract.wire._scalars import XmlNewline
from contract.wire.json_reader import read_json, values_from_json
from contract.wire.response import ResponseWriter, write_http_error
from contract.wire.values import (
    UnsupportedTypeError,
    WireFormatError,
    WireValueError,
    check_wire_value,
    comparable,
    normalize_newlines,
)
from contract.wire.xml_reader import read_xml

__all__ = [
    "ResponseWriter",
    "UnsupportedTypeError",
    "WireFormatError",
    "WireValueError",
    "XmlNewline",
    "check_wire_value",
    "comparable",
    "normalize_newlines",
    "read_json",
    "read_xml",
    "values_from_json",
    "write_http_error",
]
