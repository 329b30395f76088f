"""The precise XML walker: one pass over a parsed tree, every deviation, and the wire values.

Elements are matched by namespace and local name, never by prefix; comments, processing
instructions and whitespace between elements are ignored. Each element is compared with
its contract type - root name and namespace (``xml.root``), member namespaces
(``xml.namespace``), missing and unknown members (``xml.member-missing``,
``xml.member-unknown``), ordinal order (``xml.member-order``), ``i:nil``
(``xml.nil``), scalar lexical forms (``xml.value-format``) - and character data where
the type allows only elements is ``xml.schema`` (what the wire-profile XSD says of it).
Every problem carries its element path (``/Root/Data/InvoiceSendingStatusVo[3]/Status``)
and the element's source line; a missing member is placed where it belongs: at the
member that should follow it, or at its parent when it is the last.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from lxml import etree

from contract.clr import (
    GUID_D_PATTERN,
    ArrayType,
    ClrType,
    ComplexRef,
    Member,
    NullableType,
    Primitive,
    PrimitiveType,
    TypeCatalog,
    display_name,
    is_nullable,
)
from contract.datacontract import XSI_NS, contract_name, xml_member_order
from contract.netdatetime import NetDateTime
from contract.wire._xml_lexical import lexical_value
from contract.wire.reading import Problem
from contract.wire.values import UnsupportedTypeError

__all__ = ["XmlWalker"]

_NIL = f"{{{XSI_NS}}}nil"
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}
_XML_SPACE = " \t\r\n"
_TEXT = frozenset({Primitive.STRING, Primitive.URI})
_GUID = re.compile(GUID_D_PATTERN).fullmatch


def _split(tag: str) -> tuple[str, str]:
    """``{namespace}local`` as (local, namespace); no namespace is ''."""
    if tag[:1] == "{":
        namespace, _, local = tag[1:].partition("}")
        return local, namespace
    return tag, ""


def _in(namespace: str) -> str:
    return f"namespace {namespace or '(none)'}"


def _line(element: etree._Element) -> int | None:
    line = element.sourceline
    return line if isinstance(line, int) else None


class XmlWalker:
    """Reads a parsed tree against the catalog; :attr:`problems` collects every deviation.

    ``text_of`` turns the tree's text into the body's (see
    :class:`contract.wire.xml_parse.ParsedXml`).
    """

    def __init__(self, catalog: TypeCatalog, text_of: Callable[[str], str]) -> None:
        self._catalog = catalog
        self._text_of = text_of
        self.problems: list[Problem] = []

    def _fail(
        self, rule: str, expected: str, received: str, path: str, element: etree._Element
    ) -> None:
        self.problems.append(Problem(rule, expected, received, path, _line(element)))

    def root(self, element: etree._Element, clr: ClrType) -> Any:
        """The values of the document element holding ``clr`` (None for a wrong root)."""
        name = contract_name(clr)
        local, namespace = _split(element.tag)
        if (local, namespace) != (name.name, name.namespace):
            expected = f"root <{name.name}> in {_in(name.namespace)}"
            self._fail("xml.root", expected, f"<{local}> in {_in(namespace)}", f"/{local}", element)
            return None
        return self.value(element, clr, f"/{local}")

    def value(self, element: etree._Element, clr: ClrType, path: str) -> Any:
        """The wire value an element holding ``clr`` carries."""
        if element.attrib and self._nil(element, clr, path):
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
        raise UnsupportedTypeError(f"contract.wire cannot read {display_name(clr)}")

    def _nil(self, element: etree._Element, clr: ClrType, path: str) -> bool:
        for attribute, raw in element.items():
            local, namespace = _split(str(attribute))
            if local == "nil":
                return self._nil_value(element, clr, path, namespace, str(raw))
        return False

    def _nil_value(
        self, element: etree._Element, clr: ClrType, path: str, namespace: str, raw: str
    ) -> bool:
        if namespace != XSI_NS:
            self._fail("xml.nil", f"nil in {XSI_NS}", f"nil in {_in(namespace)}", path, element)
            return True
        value = _BOOLEANS.get(raw.strip(_XML_SPACE))
        if value is None:
            shown = self._text_of(raw)
            received = f"i:nil={shown!r} is not an xs:boolean"
            self._fail("xml.nil", 'i:nil="true" or "false"', received, path, element)
            return True
        if not value:
            return False
        if not is_nullable(clr, self._catalog):
            expected = "a value (the member's type is a value type)"
            received = f"i:nil on a non-nillable {display_name(clr)}"
            self._fail("xml.nil", expected, received, path, element)
        elif len(element) or (element.text or "").strip(_XML_SPACE):
            expected = 'an empty element with i:nil="true"'
            self._fail("xml.nil", expected, "i:nil with content", path, element)
        return True

    def _children(self, element: etree._Element, path: str) -> list[etree._Element]:
        """Child elements; character data between them is ``xml.schema``."""
        children = []
        text = element.text
        if text and text.strip(_XML_SPACE):
            self._stray(text, path, element)
        for child in element:
            if isinstance(child.tag, str):
                children.append(child)
            tail = child.tail
            if tail and tail.strip(_XML_SPACE):
                self._stray(tail, path, element)
        return children

    def _stray(self, text: str, path: str, element: etree._Element) -> None:
        received = f"unexpected text {self._text_of(text)[:60]!r}"
        self._fail("xml.schema", "element-only content", received, path, element)

    def _array(self, element: etree._Element, item: ClrType, path: str) -> list[Any]:
        name = contract_name(item)
        tag = f"{{{name.namespace}}}{name.name}"
        values = []
        for index, child in enumerate(self._children(element, path), start=1):
            if child.tag == tag:
                values.append(self.value(child, item, f"{path}/{name.name}[{index}]"))
                continue
            local, namespace = _split(child.tag)
            child_path = f"{path}/{local}[{index}]"
            if local != name.name:
                received = f"unexpected element <{local}> in {_in(namespace)}"
                self._fail(
                    "xml.member-unknown", f"<{name.name}> items", received, child_path, child
                )
                continue
            received = f"<{local}> is in {_in(namespace)}"
            self._fail("xml.namespace", _in(name.namespace), received, child_path, child)
            values.append(self.value(child, item, child_path))
        return values

    def _complex(self, element: etree._Element, ref: ComplexRef, path: str) -> dict[str, Any]:
        namespace = contract_name(ref).namespace
        members = xml_member_order(self._catalog[ref])
        by_name = {m.name: m for m in members}
        found: dict[str, etree._Element] = {}
        unknown: list[tuple[str, str, etree._Element]] = []
        for child in self._children(element, path):
            local, child_namespace = _split(child.tag)
            if local not in by_name or local in found:
                unknown.append((local, child_namespace, child))
                continue
            found[local] = child
            if child_namespace != namespace:
                received = f"<{local}> is in {_in(child_namespace)}"
                self._fail("xml.namespace", _in(namespace), received, f"{path}/{local}", child)
        clean = self._missing_and_unknown(element, members, found, unknown, (path, namespace))
        order, expected = list(found), [m.name for m in members]
        if clean and order != expected:
            received = f"order {order}"
            self._fail("xml.member-order", f"ordinal order {expected}", received, path, element)
        values = {
            name: self.value(child, by_name[name].type, f"{path}/{name}")
            for name, child in found.items()
        }
        declared = self._catalog[ref].members
        return {m.name: values[m.name] for m in declared if m.name in values}

    def _missing_and_unknown(
        self,
        element: etree._Element,
        members: tuple[Member, ...],
        found: dict[str, etree._Element],
        unknown: list[tuple[str, str, etree._Element]],
        where: tuple[str, str],
    ) -> bool:
        path = where[0]
        missing = [m.name for m in members if m.name not in found]
        folded = {name.lower(): name for name in missing}
        for local, namespace, child in unknown:
            meant = folded.pop(local.lower(), None)
            hint = f" (the contract spells it {meant!r})" if meant else ""
            expected = f"only the members {[m.name for m in members]}"
            received = f"unexpected element <{local}> in {_in(namespace)}{hint}"
            self._fail("xml.member-unknown", expected, received, f"{path}/{local}", child)
        for name in folded.values():
            self._missing(element, members, found, name, where)
        return not missing and not unknown

    def _missing(
        self,
        element: etree._Element,
        members: tuple[Member, ...],
        found: dict[str, etree._Element],
        name: str,
        where: tuple[str, str],
    ) -> None:
        """A missing member, placed at the present member ordinal order puts after it."""
        path, namespace = where
        names = [m.name for m in members]
        following = next((n for n in names[names.index(name) + 1 :] if n in found), None)
        local = _split(element.tag)[0]
        place = f" before <{following}>" if following else f" at the end of <{local}>"
        received = f"member <{name}> ({_in(namespace)}) is missing{place}"
        expected = f"member <{name}> in ordinal order"
        at, at_path = (found[following], f"{path}/{following}") if following else (element, path)
        self._fail("xml.member-missing", expected, received, at_path, at)

    def _scalar(self, element: etree._Element, primitive: Primitive, path: str) -> Any:
        for child in element:
            if isinstance(child.tag, str):
                local = _split(child.tag)[0]
                received = f"unexpected element <{local}> in a {primitive.value} value"
                expected = f"text content ({primitive.value})"
                self._fail("xml.member-unknown", expected, received, path, element)
                return None
        # Scalars are leaves; comments inside them are ignored, their text is joined.
        raw = element.text or "" if len(element) == 0 else "".join(map(str, element.itertext()))
        text = self._text_of(raw)
        if primitive in _TEXT:
            return text
        value, expected = _fast_lexical(primitive, text)
        if expected:
            received = f"{text[:60]!r} is not a valid {primitive.value}"
            self._fail("xml.value-format", expected, received, path, element)
        return value


def _fast_lexical(primitive: Primitive, text: str) -> tuple[Any, str]:
    # The common forms first, without a regular expression or a strip.
    if primitive is Primitive.GUID and _GUID(text) is not None:
        return uuid.UUID(text), ""
    if primitive is Primitive.DATETIME:
        try:
            return NetDateTime.parse(text), ""
        except ValueError:
            pass
    return lexical_value(primitive, text)
