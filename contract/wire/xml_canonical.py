"""The fast path of the XML reader: DataContractSerializer's own form, read on its bytes.

A conformant service writes the response the way DataContractSerializer does - the form
:mod:`contract.wire`'s writer reproduces byte for byte: no whitespace, no comments, the
root declaring ``i`` and the default namespace, ``d{depth}p{n}`` prefixes declared on
member elements, null as ``<X i:nil="true" />``, an empty string as ``<X></X>`` (or
``<X />``). From the contract this module generates, once, a reader of exactly that form
that builds the wire values itself: one regular expression per item of a collection
whose members are all scalars (a *record*: one C-level match gives every member's
text), small generated functions for the rest. A 100,000-item body is read without an
lxml proxy per element.

The rule it implements is agreement with the precise walker
(:mod:`contract.wire.xml_walker`): for a body the hardened parser accepts, a result other
than None is exactly the values the walker builds, and the walker finds no problem in
it. Every element it admits carries exactly the namespace declarations it wrote itself,
so each tag resolves to the namespace the walker expects; a scalar is admitted only in a
lexical form the walker accepts and reads to the same value. Any other spelling (other
prefixes, whitespace, a comment, ``+5``) gives None and the caller walks the tree.
Well-formedness is not this module's concern: the caller parses every body anyway, and
drops this reading when the parser refuses the body. Text is decoded as a parser reads
it: ``\\r\\n`` and ``\\r`` as ``\\n``, then the five entities and character references
(including the service's references to forbidden characters, ``&#x1;``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from contract.clr import (
    GUID_D_PATTERN,
    INTEGER_RANGES,
    ArrayType,
    ClrType,
    ComplexRef,
    NullableType,
    Primitive,
    PrimitiveType,
    TypeCatalog,
    is_nullable,
)
from contract.datacontract import (
    XSI_NS,
    NamespaceScope,
    contract_name,
    items_namespace_to_declare,
    namespace_to_declare,
    xml_member_order,
)
from contract.endpoint import EndpointContract
from contract.wire._xml_fastvalues import DATE_GROUPS, DATE_PATTERN, Converters, integer_pattern

__all__ = ["CanonicalReader", "NotCanonical", "canonical_reader"]

CanonicalReader = Callable[[bytes], Any]
"""Reads a whole body: its wire values, or raises :class:`NotCanonical`."""

_ANY_TEXT = rb"([^<]*+)"
_UNESCAPED = re.compile(r"[^&<>\"'\s]+")  # a namespace written as it is


class NotCanonical(Exception):
    """The body is not in the serializer's exact form (or the contract has a type this
    module does not describe): the caller walks the tree."""


class _Unsupported(Exception):
    """The contract has a type this module does not describe: no fast path."""


def _literal(namespace: str) -> str:
    if not _UNESCAPED.fullmatch(namespace):
        raise _Unsupported(f"namespace {namespace!r} would need escaping")
    return namespace


def _declared(
    outer: NamespaceScope, namespace: str | None, number: int
) -> tuple[NamespaceScope, str]:
    scope, attribute = outer.declared(namespace, number)
    if attribute and namespace is not None:
        _literal(namespace)
    return scope, attribute


class _Tag:
    """The spellings of one element: start (without ``>``), end tag, and the nil form."""

    def __init__(
        self, local: str, namespace: str, clr: ClrType, scope: NamespaceScope, declare: str | None
    ) -> None:
        inner, prefix, implicit = scope.child(namespace)
        if implicit:
            _literal(namespace)
        tag = f"{prefix}:{local}" if prefix else local
        inner, member_declared = _declared(inner, declare, 1)
        inner, items_declared = _declared(
            inner, items_namespace_to_declare(clr), 1 + bool(member_declared)
        )
        self.inner = inner
        self.start = f"<{tag}{member_declared}{items_declared}{implicit}".encode()
        self.end = f"</{tag}>".encode()
        self.nil = f'<{tag}{member_declared} i:nil="true"{implicit} />'.encode()


class _Generator:
    """Builds the reader element by element, tracking the bindings it declared."""

    def __init__(self, catalog: TypeCatalog, converters: Converters) -> None:
        self._catalog = catalog
        self._convert = converters
        self._visiting: set[ComplexRef] = set()

    def element(
        self, tag: _Tag, clr: ClrType, *, root: bool = False
    ) -> Callable[[bytes, int], tuple[Any, int]]:
        """A function reading the element at a position: (value, position after it).

        The document element is never nil in the serializer's form."""
        nullable = is_nullable(clr, self._catalog) and not root
        inner = clr.inner if isinstance(clr, NullableType) else clr
        if isinstance(inner, PrimitiveType):
            return self._scalar_element(tag, inner.primitive, nullable=nullable)
        if isinstance(inner, ArrayType):
            return self._array(tag, inner.item, nullable=nullable)
        if isinstance(inner, ComplexRef):
            record = self.record(tag, inner, nullable=nullable)
            if record is not None:
                match, build = record
                return _record_element(match, build)
            return self._complex(tag, inner, nullable=nullable)
        raise _Unsupported(f"type {clr!r}")

    def _scalar_pattern(self, tag: _Tag, primitive: Primitive, *, nullable: bool) -> bytes:
        """Groups: the text, then (strings) the short empty form, then (nullable) nil."""
        text = self._text_pattern(primitive)
        forms = [re.escape(tag.start + b">") + text + re.escape(tag.end)]
        if primitive in (Primitive.STRING, Primitive.URI):
            forms.append(b"(" + re.escape(tag.start + b" />") + b")")
        if nullable:
            forms.append(b"(" + re.escape(tag.nil) + b")")
        return b"(?:" + b"|".join(forms) + b")"

    @staticmethod
    def _text_pattern(primitive: Primitive) -> bytes:
        if primitive in INTEGER_RANGES:
            return b"(" + integer_pattern(*INTEGER_RANGES[primitive]) + b")"
        if primitive is Primitive.BOOLEAN:
            return rb"(true|false|1|0)"
        if primitive is Primitive.GUID:
            return b"(" + GUID_D_PATTERN.encode() + b")"
        if primitive is Primitive.DATETIME:
            return DATE_PATTERN
        if primitive in (Primitive.STRING, Primitive.URI):
            return _ANY_TEXT
        raise _Unsupported(primitive.value)

    def _scalar_value(self, primitive: Primitive, first: int, *, nullable: bool) -> str:
        """An expression of the value from the match's groups ``g`` from ``first`` on."""
        if primitive is Primitive.DATETIME:
            value = "D(" + ", ".join(f"g[{first + n}]" for n in range(DATE_GROUPS)) + ")"
            return f"({value} if g[{first}] is not None else None)" if nullable else value
        value = self._convert.call(primitive, f"g[{first}]")
        if primitive in (Primitive.STRING, Primitive.URI):
            rest = "None" if nullable else "''"
            if nullable:
                rest = f"('' if g[{first + 1}] is not None else None)"
            return f"({value} if g[{first}] is not None else {rest})"
        return f"({value} if g[{first}] is not None else None)" if nullable else value

    @staticmethod
    def _groups(primitive: Primitive, *, nullable: bool) -> int:
        text = DATE_GROUPS if primitive is Primitive.DATETIME else 1
        return text + (primitive in (Primitive.STRING, Primitive.URI)) + nullable

    def _scalar_element(
        self, tag: _Tag, primitive: Primitive, *, nullable: bool
    ) -> Callable[[bytes, int], tuple[Any, int]]:
        pattern = re.compile(self._scalar_pattern(tag, primitive, nullable=nullable))
        build = self._convert.compile(self._scalar_value(primitive, 0, nullable=nullable))
        return _record_element(pattern.match, build)

    def record(
        self, tag: _Tag, ref: ComplexRef, *, nullable: bool
    ) -> tuple[Callable[[bytes, int], Any], Callable[[Any], Any]] | None:
        """A complex type whose members are all scalars, as one regular expression and a
        function building its dict from the match; None for any other type."""
        namespace = contract_name(ref).namespace
        members = xml_member_order(self._catalog[ref])
        scalars = []
        for member in members:
            inner = member.type.inner if isinstance(member.type, NullableType) else member.type
            if not isinstance(inner, PrimitiveType):
                return None
            scalars.append((member, inner.primitive, is_nullable(member.type, self._catalog)))
        parts, values, group = [], {}, 0
        for member, primitive, member_nullable in scalars:
            child = _Tag(member.name, namespace, member.type, tag.inner, None)
            parts.append(self._scalar_pattern(child, primitive, nullable=member_nullable))
            values[member.name] = self._scalar_value(primitive, group, nullable=member_nullable)
            group += self._groups(primitive, nullable=member_nullable)
        content = b"".join(parts)
        forms = [re.escape(tag.start + b">") + content + re.escape(tag.end)]
        if not members:
            forms.append(re.escape(tag.start + b" />"))
        if nullable:
            forms.append(b"(" + re.escape(tag.nil) + b")")
        pattern = re.compile(b"(?:" + b"|".join(forms) + b")")
        entries = ", ".join(f"{name!r}: {values[name]}" for name in self.declared_names(ref))
        body = f"{{{entries}}}"
        if nullable:
            body = f"(None if g[{group}] is not None else {body})"
        return pattern.match, self._convert.compile(body)

    def _array(
        self, tag: _Tag, item: ClrType, *, nullable: bool
    ) -> Callable[[bytes, int], tuple[Any, int]]:
        name = contract_name(item)
        item_tag = _Tag(name.name, name.namespace, item, tag.inner, None)
        start = _start(tag, empty=True, nullable=nullable)
        inner = item.inner if isinstance(item, NullableType) else item
        record = None
        if isinstance(inner, ComplexRef):
            record = self.record(item_tag, inner, nullable=is_nullable(item, self._catalog))
        if record is not None:
            return _record_array(start, tag.end, *record)
        return _element_array(start, tag.end, self.element(item_tag, item))

    def _complex(
        self, tag: _Tag, ref: ComplexRef, *, nullable: bool
    ) -> Callable[[bytes, int], tuple[Any, int]]:
        if ref in self._visiting:
            raise _Unsupported("recursive type")
        self._visiting.add(ref)
        namespace = contract_name(ref).namespace
        readers = []
        for member in xml_member_order(self._catalog[ref]):
            declare = namespace_to_declare(namespace, member.type)
            child = _Tag(member.name, namespace, member.type, tag.inner, declare)
            readers.append((member.name, self.element(child, member.type)))
        self._visiting.discard(ref)
        start = _start(tag, empty=not readers, nullable=nullable)
        return _members(start, tag.end, readers, self.declared_names(ref))

    def declared_names(self, ref: ComplexRef) -> list[str]:
        """The member names of ``ref`` in declaration order (the order of its dict)."""
        return [m.name for m in self._catalog[ref].members]

    def document(self, clr: ClrType) -> CanonicalReader:
        """The whole body: the root declares ``i``, its items' namespace, then the default."""
        if not isinstance(clr, ComplexRef | ArrayType):
            raise _Unsupported("the root is neither a class nor a collection")
        root = contract_name(clr)
        scope = NamespaceScope(1, (("", root.namespace), ("i", XSI_NS)))
        scope, declared = _declared(scope, items_namespace_to_declare(clr), 1)
        tag = _Tag(root.name, root.namespace, clr, NamespaceScope(0, ()), None)
        tag.inner = scope
        tag.start = (
            f'<{root.name} xmlns:i="{XSI_NS}"{declared} xmlns="{_literal(root.namespace)}"'
        ).encode()
        read = self.element(tag, clr, root=True)
        trailing = re.compile(rb"[ \t\r\n]*+\Z").match

        def document(body: bytes) -> Any:
            value, end = read(body, 0)
            if trailing(body, end) is None:
                raise NotCanonical("content after the document element")
            return value

        return document


def _start(tag: _Tag, *, empty: bool, nullable: bool) -> Callable[[bytes, int], Any]:
    """A start tag: group 1 when it opens content, 2 when empty, 3 when nil."""
    forms = [b"(" + re.escape(tag.start + b">") + b")"]
    forms.append(b"(" + re.escape(tag.start + b" />") + b")" if empty else b"(?!)()")
    forms.append(b"(" + re.escape(tag.nil) + b")" if nullable else b"(?!)()")
    return re.compile(b"|".join(forms)).match


def _record_element(
    match: Callable[[bytes, int], Any], build: Callable[[Any], Any]
) -> Callable[[bytes, int], tuple[Any, int]]:
    def read(body: bytes, position: int) -> tuple[Any, int]:
        found = match(body, position)
        if found is None:
            raise NotCanonical(f"at byte {position}")
        return build(found), found.end()

    return read


def _opened(start: Callable[[bytes, int], Any], body: bytes, position: int) -> tuple[Any, int]:
    """The start tag at ``position``: (None when the element is nil, [] or {} when it is
    empty, True when content follows), and the position after it."""
    found = start(body, position)
    if found is None:
        raise NotCanonical(f"at byte {position}")
    return (True if found.lastindex == 1 else None if found.lastindex == 3 else False), found.end()


def _record_array(
    start: Callable[[bytes, int], Any],
    end: bytes,
    match: Callable[[bytes, int], Any],
    build: Callable[[Any], Any],
) -> Callable[[bytes, int], tuple[Any, int]]:
    def read(body: bytes, position: int) -> tuple[Any, int]:
        opened, position = _opened(start, body, position)
        if not opened:
            return (None if opened is None else []), position
        items: list[Any] = []
        append = items.append
        found = match(body, position)
        while found is not None:
            append(build(found))
            position = found.end()
            found = match(body, position)
        if not body.startswith(end, position):
            raise NotCanonical(f"at byte {position}")
        return items, position + len(end)

    return read


def _element_array(
    start: Callable[[bytes, int], Any], end: bytes, item: Callable[[bytes, int], tuple[Any, int]]
) -> Callable[[bytes, int], tuple[Any, int]]:
    def read(body: bytes, position: int) -> tuple[Any, int]:
        opened, position = _opened(start, body, position)
        if not opened:
            return (None if opened is None else []), position
        items = []
        while not body.startswith(end, position):
            value, position = item(body, position)
            items.append(value)
        return items, position + len(end)

    return read


def _members(
    start: Callable[[bytes, int], Any],
    end: bytes,
    readers: list[tuple[str, Callable[[bytes, int], tuple[Any, int]]]],
    declared: list[str],
) -> Callable[[bytes, int], tuple[Any, int]]:
    def read(body: bytes, position: int) -> tuple[Any, int]:
        opened, position = _opened(start, body, position)
        if not opened:
            return (None if opened is None else {}), position
        values = {}
        for name, member in readers:
            values[name], position = member(body, position)
        if not body.startswith(end, position):
            raise NotCanonical(f"at byte {position}")
        return {name: values[name] for name in declared}, position + len(end)

    return read


_CACHE: dict[int, tuple[EndpointContract, CanonicalReader | None]] = {}


def canonical_reader(contract: EndpointContract) -> CanonicalReader | None:
    """The fast reader of ``contract``'s response in the serializer's exact form, or None
    when the contract has a type this module does not describe. Built once per contract
    (kept with the contract itself, so a recycled ``id()`` never returns another's)."""
    hit = _CACHE.get(id(contract))
    if hit is None or hit[0] is not contract:
        hit = _CACHE[id(contract)] = (contract, _build(contract))
    return hit[1]


def _build(contract: EndpointContract) -> CanonicalReader | None:
    if contract.response_type is None:
        return None
    try:
        return _Generator(contract.catalog, Converters()).document(contract.response_type)
    except _Unsupported:
        return None
