"""XML response bodies into wire values, driven by the contract: the one XML reader.

:func:`read_xml_document` reads a body in one hardened step
(:mod:`contract.wire.xml_parse`: UTF-8, no DTD or entities, libxml2's depth limit) and
one pass that builds the wire values and records every deviation as a
:class:`~contract.wire.reading.Problem` under the conformance suite's rule ids
(:mod:`contract.wire.xml_walker` says which). A body in DataContractSerializer's exact
form is read on its bytes by a reader generated from the contract
(:mod:`contract.wire.xml_canonical`), which builds the same values - without any tree
or XSD run when the body holds no ``&``, no ``]]>`` and no forbidden character, so that
its form alone makes it well-formed and valid; any other body is walked on its tree.
With a ``schema`` the wire-profile XSD's verdict is the ``xml.schema`` problem, reported
only when no other rule fired; libxml2 validates without holding the GIL, so for a big
body it runs on a worker thread while this thread reads. :func:`read_xml` raises the first problem.

Decided once for every reader (the wire-format facts): the service's ``XmlWriter`` runs
with ``CheckCharacters = false`` and writes characters XML 1.0 forbids as character
references (``&#x1;``, ``&#x1F;``, ``&#xFFFE;``). What the Windows service writes is
conformant by definition, so such references are read as those characters - never
``xml.syntax`` - and the reading carries a note saying strict XML parsers refuse them.
The raw characters, and references to no character (``&#xD800;``) or to allowed ones in
a wrong spelling (``&#X1;``), stay ``xml.syntax``. Both newline forms (``\\r\\n`` as the
service writes them, ``\\n``) read as ``\\n``, and an empty string reads the same from
``<X></X>`` and ``<X />``.
"""

from __future__ import annotations

import threading
from typing import Any, cast

from lxml import etree

from contract.datacontract import contract_name
from contract.endpoint import EndpointContract
from contract.wire.reading import Problem, Reading, collector_paused
from contract.wire.values import UnsupportedTypeError
from contract.wire.xml_canonical import NotCanonical, canonical_reader
from contract.wire.xml_parse import XmlSyntaxError, parse_xml_document, refuse_before_parsing
from contract.wire.xml_walker import XmlWalker

__all__ = ["SCHEMA_THREAD", "read_xml", "read_xml_document"]

# Every byte but the C0 controls XML 1.0 forbids: deleting them leaves only those (one
# C-level pass, ten times quicker than a regex search of a 50 MB body).
_NOT_FORBIDDEN_CONTROLS = bytes(b for b in range(256) if b >= 0x20 or b in b"\t\n\r")
# U+FFFE and U+FFFF in UTF-8 (surrogates are not UTF-8 at all).
_FORBIDDEN_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")
SCHEMA_THREAD = "xml-body-xsd"
"""The name of the worker thread that validates a big body against the XSD."""
# From this size on, validation runs on a worker thread (a thread costs about 0.1 ms;
# libxml2 validates 64 KiB in about 1 ms).
_CONCURRENT_FROM = 64 * 1024


def read_xml(body: bytes | etree._Element, contract: EndpointContract) -> Any:
    """Wire values from an XML response body (bytes, or an element parsed by the caller).

    Raises :class:`~contract.wire.values.WireFormatError` naming the element path and
    line of the first problem :func:`read_xml_document` finds. A caller's element is
    read as it is (references to forbidden characters are resolved only in bodies given
    as bytes).
    """
    if isinstance(body, etree._Element):
        return _read_element(body, contract).raise_first()
    return read_xml_document(body, contract).raise_first()


def read_xml_document(
    body: bytes,
    contract: EndpointContract,
    *,
    schema: etree.XMLSchema | None = None,
    fast: bool = True,
) -> Reading:
    """Every problem of ``body`` as the contract's response, its values and notes.

    ``fast`` lets a body in the serializer's exact form be read on its bytes and a big
    body be validated on a worker thread; without it the tree is walked, sequentially
    (both give the same reading).
    """
    response_type = _response_type(contract)
    # The exact form read on bytes alone, or after parsing when a parser has to judge.
    alone = fast and _well_formed_if_canonical(body)
    values = _canonical(body, contract) if alone else None
    if values is not None:
        return Reading(values)
    try:
        parsed = parse_xml_document(body)
    except XmlSyntaxError as error:
        return Reading(problems=[_syntax(error)])
    concurrent = fast and schema is not None and len(body) >= _CONCURRENT_FROM
    validation = (
        _Validation(parsed.root, schema, concurrent=concurrent) if schema is not None else None
    )
    reading = Reading(notes=list(parsed.notes))
    values = _canonical(body, contract) if fast and not alone else None
    if values is not None:
        reading.values = values
    else:
        walker = XmlWalker(contract.catalog, parsed.text_of)
        with collector_paused():
            reading.values = walker.root(parsed.root, response_type)
        reading.problems = walker.problems
    if validation is not None and reading.problems:
        validation.finish()  # the verdict is not reported: other rules fired
    elif validation is not None:
        reading.problems.extend(validation.problems())
    return reading


def _read_element(root: etree._Element, contract: EndpointContract) -> Reading:
    # lxml-stubs lack DocInfo.doctype; it is the DOCTYPE declaration, "" when absent.
    if getattr(root.getroottree().docinfo, "doctype", ""):
        return Reading(problems=[_syntax(XmlSyntaxError("a DTD is not allowed", 1))])
    walker = XmlWalker(contract.catalog, str)
    values = walker.root(root, _response_type(contract))
    return Reading(values, walker.problems)


def _response_type(contract: EndpointContract) -> Any:
    if contract.response_type is None:
        raise UnsupportedTypeError(f"{contract.operation_id} returns no response body")
    contract_name(contract.response_type)  # a type without an XML name fails here
    return contract.response_type


def _well_formed_if_canonical(body: bytes) -> bool:
    """True when ``body``, if in the serializer's exact form, needs neither tree nor XSD.

    Such a body is well-formed by its form alone once it is UTF-8 and holds no ``&``
    (entities and references are the parser's to judge), no ``]]>`` and no character
    XML 1.0 forbids; and the wire-profile XSD accepts it, since both come from the same
    contract (``tests/conformance/test_xml_fast_path.py`` proves it on every body the
    fast path reads). A 100,000-item body is then read in a third of the time, without
    the tree's 300 MB.
    """
    if b"&" in body or b"]]>" in body or body.translate(None, _NOT_FORBIDDEN_CONTROLS):
        return False
    if not body.isascii() and any(raw in body for raw in _FORBIDDEN_NONCHARACTERS):
        return False
    try:
        refuse_before_parsing(body)
    except XmlSyntaxError:
        return False
    return True


def _canonical(body: bytes, contract: EndpointContract) -> Any:
    """The values read on the bytes, or None when the body is not in the exact form."""
    read = canonical_reader(contract)
    if read is None:
        return None
    try:
        with collector_paused():
            return read(body)
    except (NotCanonical, ValueError):  # ValueError: a reference to no character
        return None


def _syntax(error: XmlSyntaxError) -> Problem:
    return Problem("xml.syntax", "well-formed UTF-8 XML without DTD", error.reason, "/", error.line)


class _Validation:
    """The ``xml.schema`` verdict on a parsed document.

    libxml2 validates without holding the GIL, and only reads the tree, so with
    ``concurrent`` it starts at once on a worker thread - in case the verdict is needed -
    while the caller reads the body; otherwise it runs when asked for. An error other
    than invalidity is raised in the caller's thread.
    """

    def __init__(self, root: etree._Element, schema: etree.XMLSchema, *, concurrent: bool) -> None:
        self._root, self._schema = root, schema
        self._problems: list[Problem] | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if concurrent:
            self._thread = threading.Thread(target=self._run, name=SCHEMA_THREAD, daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            self._problems = _schema_problems(self._root, self._schema)
        except BaseException as error:  # raised again by problems()
            self._error = error

    def finish(self) -> None:
        """Wait for the worker thread, if any, to be done."""
        if self._thread is not None:
            self._thread.join()

    def problems(self) -> list[Problem]:
        """The ``xml.schema`` problem of the document, if any."""
        self.finish()
        if self._error is not None:
            raise self._error
        if self._problems is None:
            self._problems = _schema_problems(self._root, self._schema)
        return self._problems


def _schema_problems(root: etree._Element, schema: etree.XMLSchema) -> list[Problem]:
    if schema.validate(root.getroottree()):
        return []
    # lxml-stubs do not describe _ErrorLog.filter_from_errors.
    entry = cast(Any, schema.error_log).filter_from_errors()[0]
    expected = "a document the wire-profile XSD accepts"
    return [Problem("xml.schema", expected, entry.message, "", entry.line)]
