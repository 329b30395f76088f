"""Response bodies: the action's result type in either format, and Web API's ``HttpError``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from contract.clr import ClrType, TypeCatalog
from contract.endpoint import JSON_MEDIA_TYPES, XML_MEDIA_TYPES, EndpointContract
from contract.wire._scalars import XmlNewline, json_string, xml_text_formatter
from contract.wire._splice import Splicer, assemble
from contract.wire.json_writer import compile_json_writer
from contract.wire.values import (
    UnsupportedTypeError,
    WireValueError,
    check_wire_value,
    require_supported,
)
from contract.wire.xml_writer import compile_xml_writer

__all__ = ["ResponseWriter", "write_http_error"]

_T = TypeVar("_T")


class ResponseWriter:
    """Writes wire values of ``contract.response_type`` exactly as the service does.

    Build it once per contract (the per-type writers are compiled here); ``json`` and
    ``xml`` return UTF-8 bytes without BOM, declaration or indentation. XML text writes
    each ``\\n``, ``\\r`` and ``\\r\\n`` as ``xml_newline`` (``CRLF``, the Windows service's
    ``Environment.NewLine``; ``LF`` for a service on Mono/Linux). A value that does not
    fit the type raises :class:`~contract.wire.values.WireValueError` naming the member
    by JSON pointer. The ``xml_newline`` attribute is the newline it was built with.
    """

    def __init__(
        self, contract: EndpointContract, *, xml_newline: XmlNewline = XmlNewline.CRLF
    ) -> None:
        if contract.response_type is None:
            raise UnsupportedTypeError(f"{contract.operation_id} returns no response body")
        self._type: ClrType = contract.response_type
        self._catalog: TypeCatalog = contract.catalog
        require_supported(self._type, self._catalog)
        self._splicer = Splicer()
        self._write_json = compile_json_writer(
            self._type, self._catalog, contract.json_date_format, splicer=self._splicer
        )
        self.xml_newline = xml_newline
        self._write_xml = compile_xml_writer(
            self._type, self._catalog, splicer=self._splicer, newline=xml_newline
        )

    def json(self, value: Any) -> bytes:
        """The JSON body (JsonMediaTypeFormatter with Json.NET) for ``value``."""
        return self._encode(self._write_json, value)

    def xml(self, value: Any) -> bytes:
        """The XML body (XmlMediaTypeFormatter with DataContractSerializer) for ``value``."""
        return self._encode(self._write_xml, value)

    def json_chunks(self, value: Any) -> list[bytes]:
        """:meth:`json` as consecutive chunks (their concatenation is the same bytes).

        For large bodies: collections of many items are encoded batch by batch, so the
        document is never one string, and a WSGI server sends the chunks as they are.
        """
        return self._chunks(self._write_json, value)

    def xml_chunks(self, value: Any) -> list[bytes]:
        """:meth:`xml` as consecutive chunks (see :meth:`json_chunks`)."""
        return self._chunks(self._write_xml, value)

    def _chunks(self, write: Callable[[Any], str], value: Any) -> list[bytes]:
        def produce() -> list[bytes]:
            with self._splicer.collecting() as sink:
                document = write(value)
            return assemble(document, sink)

        return self._guarded(produce, value)

    def _encode(self, write: Callable[[Any], str], value: Any) -> bytes:
        return self._guarded(lambda: write(value).encode("utf-8"), value)

    def _guarded(self, produce: Callable[[], _T], value: Any) -> _T:
        try:
            return produce()
        except (TypeError, ValueError, KeyError, AttributeError) as error:
            # The fast path only knows that something failed; the checker says where.
            check_wire_value(value, self._type, self._catalog)
            raise WireValueError(f"cannot write the value: {error}", pointer="") from error


def write_http_error(
    message: str, media_type: str, *, xml_newline: XmlNewline = XmlNewline.CRLF
) -> bytes:
    """Web API's ``HttpError`` body with only ``Message`` set, in the negotiated format.

    JSON ``{"Message":"..."}``; XML ``<Error><Message>...</Message></Error>`` with no
    namespace (``HttpError`` is an ``IXmlSerializable`` dictionary, ``XmlRoot("Error")``,
    that writes one element per key), its text written by the same XmlWriter as a
    response's (newlines as ``xml_newline``); an empty message is a written value, so
    it keeps the full end tag, ``<Message></Message>``.
    """
    base = media_type.split(";", 1)[0].strip().lower()
    try:
        if base in JSON_MEDIA_TYPES:
            return ('{"Message":' + json_string(message) + "}").encode("utf-8")
        if base in XML_MEDIA_TYPES:
            text = xml_text_formatter(xml_newline)(message)
            return f"<Error><Message>{text}</Message></Error>".encode()
    except (TypeError, UnicodeEncodeError) as error:
        raise ValueError(f"cannot write the error message {message!r}: {error}") from None
    raise ValueError(
        f"no formatter writes {media_type!r}: expected one of "
        f"{', '.join(JSON_MEDIA_TYPES + XML_MEDIA_TYPES)}"
    )
