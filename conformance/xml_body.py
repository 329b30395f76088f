"""The XML body against the contract: hardened parsing, a contract-driven walker, the XSD.

The parser never resolves entities, loads a DTD or touches the network, and a document
that declares a DTD is refused (``xml.syntax``). Character references to characters XML
1.0 forbids (``&#x1;``) are the service's own output (its XmlWriter runs with
``CheckCharacters = false``), so they are read as those characters, as
:func:`contract.wire.read_xml` reads them (:mod:`contract.wire.charrefs`), and the
reading carries a note instead of a failure; any other malformation is ``xml.syntax``.
Both newline forms in text (``\\r\\n`` from Windows, ``\\n``) and both forms of an empty
string (``<X></X>``, ``<X />``) read the same. The walker then compares each element
with its contract type - root name and namespace, member namespaces, missing and unknown
members, ordinal order, ``i:nil``, scalar lexical forms - ignoring prefixes, comments and
whitespace between elements. The wire-profile XSD runs last as a catch-all: its verdict
is reported (``xml.schema``) only when no other ``xml.*`` rule fired for the document.

Speed: a body in DataContractSerializer's exact form is accepted on its bytes by one
expression generated from the contract (:mod:`conformance.fastbytes`), any other
conformant tree by a check generated from it (:mod:`conformance.fastcheck`); only what
neither accepts is walked here, so the failures reported are always the walker's. The XSD
runs either way. libxml2 validates without holding the GIL, so for a big body it runs on
a worker thread while this thread checks the bytes (or walks the tree, which validation
only reads): the wall time is about libxml2's parse plus its validation.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from lxml import etree

from conformance.failures import XmlFailure
from conformance.fastbytes import canonical_xml_acceptor
from conformance.fastcheck import xml_acceptor
from conformance.reading import BodyReading
from contract.clr import (
    GUID_D_PATTERN,
    ArrayType,
    ClrType,
    ComplexRef,
    Member,
    NullableType,
    Primitive,
    PrimitiveType,
    is_nullable,
)
from contract.datacontract import XSI_NS, contract_name, xml_member_order
from contract.endpoint import EndpointContract
from contract.netdatetime import NetDateTime
from contract.wire.charrefs import MarkedDocument, mark_forbidden_references, unmark
from contract.wire.values import INTEGER_RANGES

__all__ = [
    "ParsedXml",
    "XmlReading",
    "XmlSyntaxError",
    "forbidden_references_note",
    "parse_xml",
    "parse_xml_document",
    "read_xml_body",
]

_GUID = re.compile(GUID_D_PATTERN)
_INT = re.compile(r"^[+-]?[0-9]+$")
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}
_XML_SPACE = " \t\r\n"
_DECLARED_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
# From this size on, validation runs on a worker thread (a thread costs about 0.1 ms;
# libxml2 validates 64 KiB in about 1 ms).
_CONCURRENT_FROM = 64 * 1024


class XmlSyntaxError(ValueError):
    """The body is not XML the suite will read; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class XmlReading(BodyReading[XmlFailure]):
    """A XML body read against the contract (see :class:`BodyReading`)."""


@dataclass(frozen=True)
class ParsedXml:
    """A parsed body: its root, how to read its text, and notes on the reading.

    ``text_of`` turns text of the tree into the text the body holds (references to
    forbidden characters were marked before parsing: see :mod:`contract.wire.charrefs`).
    """

    root: etree._Element
    text_of: Callable[[str], str]
    notes: tuple[str, ...] = ()


def parse_xml(body: bytes) -> etree._Element:
    """The root element of ``body``, parsed without DTD, entities or network.

    Text holding references to forbidden characters is marked: read it through
    :func:`parse_xml_document`'s ``text_of`` when it matters.
    """
    return parse_xml_document(body).root


def parse_xml_document(body: bytes) -> ParsedXml:
    """``body`` parsed without DTD, entities or network; references to characters XML 1.0
    forbids (the service's ``&#x1;``) are read as those characters and noted."""
    _refuse_before_parsing(body)
    document = mark_forbidden_references(body)
    root = _parse(document.body)
    if not document.marked:
        return ParsedXml(root, _as_parsed)
    return ParsedXml(root, unmark, (forbidden_references_note(document),))


def forbidden_references_note(document: MarkedDocument) -> str:
    """The note on a body that holds references to characters XML 1.0 forbids."""
    return (
        "the body holds character references to characters XML 1.0 forbids "
        f"({document.first} at line {document.line}): the service's own output "
        "(CheckCharacters = false), but strict XML parsers refuse such bodies"
    )


def _as_parsed(text: str) -> str:
    return text


def _refuse_before_parsing(body: bytes) -> None:
    """Not UTF-8, or declares a DTD: refused before libxml2 sees a byte of it."""
    if not body.isascii():  # ASCII is UTF-8, and isascii() needs no copy of the body
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise XmlSyntaxError(f"not UTF-8 at byte {error.start} ({error.reason})") from None
    # Without a "!" there is no "<!": one memchr() spares the regex a 50 MB scan.
    declared = _DECLARED_DTD.search(body) if b"!" in body else None
    if declared:
        line = body.count(b"\n", 0, declared.start()) + 1
        raise XmlSyntaxError(
            "a DTD or entity declaration (refused: DTDs are never processed)", line
        )


def _parse(body: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as error:
        raise XmlSyntaxError(str(error.msg), error.lineno) from None
    encoding = (root.getroottree().docinfo.encoding or "UTF-8").upper()
    if encoding not in {"UTF-8", "UTF8"}:
        raise XmlSyntaxError(f"the document declares encoding {encoding!r}", 1)
    return root


class _Validation:
    """The ``xml.schema`` verdict on a parsed document.

    libxml2 validates without holding the GIL, and only reads the tree, so with
    ``concurrent`` it starts at once on a worker thread - in case the verdict is needed -
    while the caller checks the body; otherwise it runs when asked for. An error other
    than invalidity is raised in the caller's thread.
    """

    def __init__(self, root: etree._Element, schema: etree.XMLSchema, *, concurrent: bool) -> None:
        self._root, self._schema = root, schema
        self._failures: list[XmlFailure] | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if concurrent:
            self._thread = threading.Thread(target=self._run, name="xml-body-xsd", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            self._failures = _schema_failures(self._root, self._schema)
        except BaseException as error:  # raised again by failures()
            self._error = error

    def finish(self) -> None:
        """Wait for the worker thread, if any, to be done."""
        if self._thread is not None:
            self._thread.join()

    def failures(self) -> list[XmlFailure]:
        """The ``xml.schema`` failure of the document, if any."""
        self.finish()
        if self._error is not None:
            raise self._error
        if self._failures is None:
            self._failures = _schema_failures(self._root, self._schema)
        return self._failures


def read_xml_body(
    body: bytes,
    contract: EndpointContract,
    *,
    schema: etree.XMLSchema | None = None,
    fast: bool = True,
) -> XmlReading:
    """Every ``xml.*`` failure of ``body`` as the contract's response, and its values.

    Generated fast checks accept a conformant body in bulk, on its bytes
    (:mod:`conformance.fastbytes`) or its tree (:mod:`conformance.fastcheck`); any other
    body (every body when ``fast`` is false) goes through the precise walker, which
    names every failure. Both give the same failures; the XSD verdict is reported when
    they found none. With ``fast``, a big body is validated on a worker thread while
    the checks run.
    """
    reading = XmlReading()
    try:
        parsed = parse_xml_document(body)
    except XmlSyntaxError as error:
        reading.failures.append(_syntax_failure(error))
        return reading
    reading.notes.extend(parsed.notes)
    root, text_of = parsed.root, parsed.text_of
    assert contract.response_type is not None
    response_type = contract.response_type
    concurrent = fast and len(body) >= _CONCURRENT_FROM
    validation = _Validation(root, schema, concurrent=concurrent) if schema is not None else None
    # The fast checks stay sound on a marked tree: a marked reference is text they accept
    # only where the walker reads any text (strings), never in a number, date or GUID.
    if fast and _accepted(body, root, contract):
        reading._pending = lambda: _Walker(contract, [], text_of).root(root, response_type)
    else:
        walker = _Walker(contract, reading.failures, text_of)
        reading.values = walker.root(root, response_type)
    if validation is not None and reading.failures:
        validation.finish()  # the verdict is not reported: other rules fired
    elif validation is not None:
        reading.failures.extend(validation.failures())
    return reading


def _accepted(body: bytes, root: etree._Element, contract: EndpointContract) -> bool:
    """True when a generated check vouches that the walker finds no failure: the check
    of the serializer's own form on the bytes first, the tree check for any other form."""
    on_bytes = canonical_xml_acceptor(contract)
    if on_bytes is not None and on_bytes(body):
        return True
    on_tree = xml_acceptor(contract)
    return on_tree is not None and on_tree(root)


def _syntax_failure(error: XmlSyntaxError) -> XmlFailure:
    return XmlFailure(
        rule="xml.syntax",
        expected="well-formed UTF-8 XML without DTD",
        received=str(error),
        location=f"line {error.line}" if error.line else "/",
    )


def _schema_failures(root: etree._Element, schema: etree.XMLSchema) -> list[XmlFailure]:
    if schema.validate(root.getroottree()):
        return []
    # lxml-stubs do not describe _ErrorLog.filter_from_errors.
    entry = cast(Any, schema.error_log).filter_from_errors()[0]
    return [
        XmlFailure(
            rule="xml.schema",
            expected="a document the wire-profile XSD accepts",
            received=entry.message,
            location=f"line {entry.line}",
        )
    ]


def _where(path: str, element: etree._Element) -> str:
    return f"{path} (line {element.sourceline})"


def _local(element: etree._Element) -> tuple[str, str]:
    qname = etree.QName(element)
    return qname.localname, qname.namespace or ""


def _children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str)]


def _text(element: etree._Element) -> str:
    # Scalars are leaves; comments inside them are ignored, their text is joined.
    return "".join(str(text) for text in element.itertext())


class _Walker:
    def __init__(
        self,
        contract: EndpointContract,
        failures: list[XmlFailure],
        text_of: Callable[[str], str],
    ) -> None:
        self._catalog = contract.catalog
        self._failures = failures
        self._text_of = text_of

    def _fail(
        self, rule: str, expected: str, received: str, path: str, element: etree._Element
    ) -> None:
        self._failures.append(
            XmlFailure(
                rule=rule, expected=expected, received=received, location=_where(path, element)
            )
        )

    def root(self, element: etree._Element, clr: ClrType) -> Any:
        name = contract_name(clr)
        local, namespace = _local(element)
        if (local, namespace) != (name.name, name.namespace):
            self._fail(
                "xml.root",
                f"<{name.name}> in {name.namespace}",
                f"<{local}> in {namespace or 'no namespace'}",
                f"/{local}",
                element,
            )
            return None
        return self.value(element, clr, f"/{local}")

    def value(self, element: etree._Element, clr: ClrType, path: str) -> Any:
        nil = self._nil(element, clr, path)
        if nil:
            return None
        match clr:
            case NullableType(inner=inner):
                return self.value(element, inner, path)
            case ArrayType(item=item):
                return self._array(element, item, path)
            case ComplexRef():
                return self._complex(element, clr, path)
            case PrimitiveType(primitive=primitive):
                return self._scalar(element, primitive, path)
        return None

    def _nil(self, element: etree._Element, clr: ClrType, path: str) -> bool:
        for attribute, raw in element.attrib.items():
            qname = etree.QName(attribute)
            if qname.localname != "nil":
                continue
            if qname.namespace != XSI_NS:
                self._fail(
                    "xml.nil",
                    f"nil in {XSI_NS}",
                    f"nil in {qname.namespace or 'no namespace'}",
                    path,
                    element,
                )
                return True
            value = _BOOLEANS.get(str(raw).strip(_XML_SPACE))
            if value is None:
                shown = self._text_of(str(raw))
                self._fail("xml.nil", 'i:nil="true" or "false"', f"i:nil={shown!r}", path, element)
                return True
            if not value:
                return False
            if not is_nullable(clr, self._catalog):
                self._fail(
                    "xml.nil",
                    "a value (the member's type is a value type)",
                    'i:nil="true"',
                    path,
                    element,
                )
            elif len(element) or (element.text or "").strip(_XML_SPACE):
                self._fail(
                    "xml.nil",
                    'an empty element with i:nil="true"',
                    "i:nil with content",
                    path,
                    element,
                )
            return True
        return False

    def _array(self, element: etree._Element, item: ClrType, path: str) -> list[Any]:
        name = contract_name(item)
        values = []
        for index, child in enumerate(_children(element), start=1):
            local, namespace = _local(child)
            child_path = f"{path}/{local}[{index}]"
            if local != name.name:
                self._fail(
                    "xml.member-unknown", f"<{name.name}> items", f"<{local}>", child_path, child
                )
                continue
            if namespace != name.namespace:
                self._fail(
                    "xml.namespace", name.namespace, namespace or "no namespace", child_path, child
                )
            values.append(self.value(child, item, child_path))
        return values

    def _complex(self, element: etree._Element, ref: ComplexRef, path: str) -> Any:
        namespace = contract_name(ref).namespace
        members = xml_member_order(self._catalog[ref])
        by_name = {m.name: m for m in members}
        found: dict[str, etree._Element] = {}
        unknown: list[tuple[str, etree._Element]] = []
        for child in _children(element):
            local, child_ns = _local(child)
            if local not in by_name or local in found:
                unknown.append((local, child))
                continue
            found[local] = child
            if child_ns != namespace:
                self._fail(
                    "xml.namespace", namespace, child_ns or "no namespace", f"{path}/{local}", child
                )
        clean = self._missing_and_unknown(element, members, found, unknown, path)
        order = [name for name in found]
        expected = [m.name for m in members]
        if clean and order != expected:
            self._fail(
                "xml.member-order", f"ordinal order {expected}", f"order {order}", path, element
            )
        return {
            name: self.value(child, by_name[name].type, f"{path}/{name}")
            for name, child in found.items()
        }

    def _missing_and_unknown(
        self,
        element: etree._Element,
        members: tuple[Member, ...],
        found: dict[str, etree._Element],
        unknown: list[tuple[str, etree._Element]],
        path: str,
    ) -> bool:
        missing = [m.name for m in members if m.name not in found]
        folded = {name.lower(): name for name in missing}
        for local, child in unknown:
            meant = folded.pop(local.lower(), None)
            hint = f" (the contract spells it {meant!r})" if meant else ""
            expected = f"only the members {[m.name for m in members]}"
            self._fail("xml.member-unknown", expected, f"<{local}>{hint}", f"{path}/{local}", child)
        for name in folded.values():
            self._fail(
                "xml.member-missing",
                f"member <{name}>",
                "no such element",
                f"{path}/{name}",
                element,
            )
        return not missing and not unknown

    def _scalar(self, element: etree._Element, primitive: Primitive, path: str) -> Any:
        if _children(element):
            local = _local(_children(element)[0])[0]
            self._fail(
                "xml.member-unknown",
                f"text content ({primitive.value})",
                f"element <{local}>",
                path,
                element,
            )
            return None
        text = self._text_of(_text(element))
        if primitive in {Primitive.STRING, Primitive.URI, Primitive.OBJECT}:
            return text
        value, expected = _lexical(primitive, text.strip(_XML_SPACE))
        if expected:
            self._fail("xml.value-format", expected, repr(text[:60]), path, element)
        return value


def _lexical(primitive: Primitive, text: str) -> tuple[Any, str]:
    """The value of ``text``, and what was expected when it is not a valid form."""
    if primitive in INTEGER_RANGES:
        low, high = INTEGER_RANGES[primitive]
        # Over 4,300 digits int() raises (Python's digit limit); such a number is out of
        # range unless it is mostly leading zeros, which no serializer writes.
        digits = len(text.lstrip("+-"))
        ok = bool(_INT.match(text)) and digits <= 4300 and low <= int(text) <= high
        return (int(text), "") if ok else (None, f"an integer in [{low}, {high}]")
    if primitive is Primitive.BOOLEAN:
        return (_BOOLEANS[text], "") if text in _BOOLEANS else (None, "true or false")
    if primitive is Primitive.GUID:
        valid = _GUID.fullmatch(text) is not None  # match() would let a final "\n" through
        return (uuid.UUID(text), "") if valid else (None, "a lowercase D-format GUID")
    if primitive is Primitive.DATETIME:
        try:
            return NetDateTime.parse(text), ""
        except ValueError:
            return None, "an xs:dateTime like 2025-12-14T19:20:43.1992775+02:00"
    return text, ""
