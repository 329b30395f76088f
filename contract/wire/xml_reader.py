"""XML response bodies into wire values, driven by the contract (DataContractSerializer's rules).

Elements are matched by namespace and local name, never by prefix; whitespace between
elements and comments are ignored; ``i:nil`` is honoured where the type is nullable.
Members must all be present, in ordinal order, and nothing else. The parser is
hardened: no DTD, no entity expansion, no network, no huge trees.

Both newline forms (``\\r\\n`` as the Windows service writes them, ``\\n`` from a host on
Linux) read as ``\\n`` (XML's end-of-line handling), and an empty string reads the same
from ``<X></X>`` and ``<X />``. Character references to characters XML 1.0 forbids
(``&#x1;``), which Web API's writer emits (``CheckCharacters = false``) and libxml2
refuses, are read back as those characters (:mod:`contract.wire.charrefs`: marked before
parsing, restored in text after). CDATA sections are not expected and are not
special-cased.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, NoReturn

from lxml import etree

from contract.clr import (
    GUID_D_PATTERN,
    ArrayType,
    ClrType,
    ComplexRef,
    NullableType,
    Primitive,
    PrimitiveType,
    TypeCatalog,
    display_name,
    is_nullable,
)
from contract.datacontract import XSI_NS, contract_name, xml_member_order
from contract.endpoint import EndpointContract
from contract.netdatetime import NetDateTime
from contract.wire.charrefs import mark_forbidden_references, unmark
from contract.wire.values import INTEGER_RANGES, UnsupportedTypeError, WireFormatError

__all__ = ["read_xml"]

_NIL = f"{{{XSI_NS}}}nil"
_XML_SPACE = " \t\n\r"
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)")
_DOUBLE = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_GUID = re.compile(GUID_D_PATTERN, re.IGNORECASE)


def read_xml(body: bytes | etree._Element, contract: EndpointContract) -> Any:
    """Wire values from an XML response body (bytes, or an element parsed by the caller).

    Raises :class:`WireFormatError` naming the element path and line of the first
    mismatch: wrong root, missing/extra/misordered member, wrong namespace, ``i:nil`` on
    a non-nullable type, unparsable text, or a DTD/entity in the document. A caller's
    element is read as it is (references to forbidden characters are resolved only in
    bodies given as bytes).
    """
    if contract.response_type is None:
        raise UnsupportedTypeError(f"{contract.operation_id} returns no response body")
    marked = False
    if isinstance(body, etree._Element):
        root = body
    else:
        root, marked = _parse(body)
    # lxml-stubs lack DocInfo.doctype; it is the DOCTYPE declaration, "" when absent.
    if getattr(root.getroottree().docinfo, "doctype", ""):
        raise WireFormatError("a DTD is not allowed", location="/", line=1)
    expected = contract_name(contract.response_type)
    path = f"/{etree.QName(root).localname}"
    if root.tag != expected.clark():
        _fail(
            f"expected root <{expected.name}> in namespace {expected.namespace}, "
            f"found {_describe(root)}",
            path,
            root,
        )
    reader = _Reader(contract.catalog, unmark if marked else _as_parsed)
    return reader.element(root, contract.response_type, path)


def _parse(body: bytes) -> tuple[etree._Element, bool]:
    """The root of ``body``, and whether its text needs unmark()."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise WireFormatError(f"the body is not UTF-8: {error}", location="/") from None
    document = mark_forbidden_references(body)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(document.body, parser), document.marked
    except etree.XMLSyntaxError as error:
        line = error.position[0] if error.position else None
        raise WireFormatError(
            f"not well-formed XML: {error.msg}", location="/", line=line
        ) from None


def _as_parsed(text: str) -> str:
    return text


class _Reader:
    def __init__(self, catalog: TypeCatalog, text_of: Callable[[str], str]) -> None:
        self._catalog = catalog
        self._text_of = text_of

    def element(self, node: etree._Element, clr_type: ClrType, path: str) -> Any:
        """The wire value an element holding ``clr_type`` carries."""
        if _is_nil(node, path):
            if not is_nullable(clr_type, self._catalog):
                _fail(f"i:nil on a non-nillable {display_name(clr_type)}", path, node)
            if len(node) or (node.text or "").strip(_XML_SPACE):
                _fail("an i:nil element must be empty", path, node)
            return None
        match clr_type:
            case NullableType(inner=inner):
                return self.element(node, inner, path)
            case PrimitiveType(primitive=primitive):
                return _scalar(node, primitive, path, self._text_of)
            case ArrayType(item=item):
                return self._collection(node, clr_type, item, path)
            case ComplexRef():
                return self._complex(node, clr_type, path)
            case _:
                raise UnsupportedTypeError(f"contract.wire cannot read {display_name(clr_type)}")

    def _collection(
        self, node: etree._Element, clr_type: ArrayType, item: ClrType, path: str
    ) -> list[Any]:
        item_name = contract_name(item).name
        tag = f"{{{contract_name(clr_type).namespace}}}{item_name}"
        values = []
        for index, child in enumerate(_children(node, path), start=1):
            child_path = f"{path}/{etree.QName(child).localname}[{index}]"
            if child.tag != tag:
                _fail(
                    f"expected <{item_name}> in namespace {contract_name(clr_type).namespace}, "
                    f"found {_describe(child)}",
                    child_path,
                    child,
                )
            values.append(self.element(child, item, child_path))
        return values

    def _complex(self, node: etree._Element, ref: ComplexRef, path: str) -> dict[str, Any]:
        namespace = contract_name(ref).namespace
        order = xml_member_order(self._catalog[ref])
        children = list(_children(node, path))
        values: dict[str, Any] = {}
        for index, member in enumerate(order):
            expected = f"{{{namespace}}}{member.name}"
            if index >= len(children) or children[index].tag != expected:
                self._explain_mismatch(node, children, index, expected, path)
            child = children[index]
            values[member.name] = self.element(child, member.type, f"{path}/{member.name}")
        if len(children) > len(order):
            extra = children[len(order)]
            _fail(
                f"unexpected element {_describe(extra)} after the last member",
                f"{path}/{etree.QName(extra).localname}",
                extra,
            )
        return {member.name: values[member.name] for member in self._catalog[ref].members}

    @staticmethod
    def _explain_mismatch(
        node: etree._Element, children: list[etree._Element], index: int, expected: str, path: str
    ) -> NoReturn:
        want = etree.QName(expected)
        if index >= len(children):
            _fail(f"member <{want.localname}> (namespace {want.namespace}) is missing", path, node)
        found = children[index]
        found_name = etree.QName(found)
        where = f"{path}/{found_name.localname}"
        if found_name.localname == want.localname:
            _fail(
                f"<{want.localname}> is in namespace {found_name.namespace}, "
                f"expected {want.namespace}",
                where,
                found,
            )
        _fail(
            f"expected member <{want.localname}> (namespace {want.namespace}), found "
            f"{_describe(found)}: members are missing or out of ordinal order",
            where,
            found,
        )


def _children(node: etree._Element, path: str) -> Iterator[etree._Element]:
    """Child elements, skipping comments and PIs; text between them must be whitespace."""
    if (node.text or "").strip(_XML_SPACE):
        _fail(f"unexpected text {node.text!r}", path, node)
    for child in node:
        if (child.tail or "").strip(_XML_SPACE):
            _fail(f"unexpected text {child.tail!r}", path, node)
        if isinstance(child.tag, str):
            yield child


def _is_nil(node: etree._Element, path: str) -> bool:
    value = node.get(_NIL)
    if value is None:
        return False
    flag = value.strip(_XML_SPACE)
    if flag not in ("true", "1", "false", "0"):
        _fail(f"i:nil={value!r} is not an xs:boolean", path, node)
    return flag in ("true", "1")


def _text(node: etree._Element, path: str) -> str:
    parts = [node.text or ""]
    for child in node:
        if isinstance(child.tag, str):
            _fail(f"unexpected element {_describe(child)} in a simple value", path, child)
        parts.append(child.tail or "")
    return "".join(parts)


def _scalar(
    node: etree._Element, primitive: Primitive, path: str, text_of: Callable[[str], str]
) -> Any:
    text = text_of(_text(node, path))
    parse = (
        _integer(*INTEGER_RANGES[primitive])
        if primitive in INTEGER_RANGES
        else _SCALARS.get(primitive)
    )
    if parse is None:
        raise UnsupportedTypeError(f"contract.wire cannot read {primitive.value}")
    try:
        return parse(text)
    except ValueError as error:
        _fail(f"{text!r} is not a valid {primitive.value}: {error}", path, node)


def _integer(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        trimmed = text.strip(_XML_SPACE)
        if _INTEGER.fullmatch(trimmed) is None:
            raise ValueError("not an integer")
        value = int(trimmed)
        if not low <= value <= high:
            raise ValueError(f"outside [{low}, {high}]")
        return value

    return parse


def _boolean(text: str) -> bool:
    trimmed = text.strip(_XML_SPACE)
    if trimmed not in ("true", "1", "false", "0"):
        raise ValueError("expected true or false")
    return trimmed in ("true", "1")


def _double(text: str) -> float:
    trimmed = text.strip(_XML_SPACE)
    special = {"INF": float("inf"), "-INF": float("-inf"), "NaN": float("nan")}
    if trimmed in special:
        return special[trimmed]
    if _DOUBLE.fullmatch(trimmed) is None:
        raise ValueError("not an xs:double")
    return float(trimmed)


def _decimal(text: str) -> Decimal:
    trimmed = text.strip(_XML_SPACE)
    if _DECIMAL.fullmatch(trimmed) is None:
        raise ValueError("not an xs:decimal")
    return Decimal(trimmed)


def _char(text: str) -> str:
    return chr(_integer(0, 0xFFFF)(text))


def _guid(text: str) -> uuid.UUID:
    trimmed = text.strip(_XML_SPACE)
    if _GUID.fullmatch(trimmed) is None:
        raise ValueError("not a GUID in the 8-4-4-4-12 form")
    return uuid.UUID(trimmed)


def _bytes(text: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except binascii.Error as error:
        raise ValueError(str(error)) from None


_SCALARS: dict[Primitive, Callable[[str], Any]] = {
    Primitive.BOOLEAN: _boolean,
    Primitive.STRING: str,
    Primitive.URI: str,
    Primitive.DOUBLE: _double,
    Primitive.DECIMAL: _decimal,
    Primitive.CHAR: _char,
    Primitive.GUID: _guid,
    Primitive.DATETIME: lambda text: NetDateTime.parse(text.strip(_XML_SPACE)),
    Primitive.BYTE_ARRAY: _bytes,
}


def _describe(node: etree._Element) -> str:
    name = etree.QName(node)
    return f"<{name.localname}> in namespace {name.namespace or '(none)'}"


def _fail(message: str, path: str, node: etree._Element) -> NoReturn:
    line = node.sourceline
    raise WireFormatError(message, location=path, line=line if isinstance(line, int) else None)
