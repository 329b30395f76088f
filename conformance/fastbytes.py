"""Fast acceptance of XML bodies on their bytes: DataContractSerializer's own form.

A conformant service writes the response the way DataContractSerializer does - the form
:mod:`contract.wire`'s writer reproduces byte for byte: no whitespace, no comments, the
root declaring ``i`` and the default namespace, ``d{depth}p{n}`` prefixes declared on
member elements, null as ``<X i:nil="true" />``. This module turns the contract into one
regular expression over the raw body that matches exactly that form (the values checked
as :mod:`conformance.fastcheck` checks them), so a 100,000-item body is accepted by one
C-level scan, without an lxml proxy per element.

The rule it implements is soundness, as for :mod:`conformance.fastcheck`: for a body that
lxml parsed, a match means the precise walker finds no failure. Every element the
expression admits carries exactly the namespace declarations it wrote itself, so each
tag resolves to the namespace the walker expects; any other spelling of the same
document (other prefixes, whitespace, a comment, ``<X></X>`` for a number) does not
match, and the caller falls back to the tree checks. Well-formedness is not this
module's concern: the caller asks only about bodies the hardened parser accepted. That
includes the service's references to forbidden characters (``&#x1;``, read as the
characters: :mod:`contract.wire.charrefs`); the expression admits them only in text the
walker reads as it is, never in a number, a date, a GUID or an attribute.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from conformance.fastcheck import ROUND_TRIP_PATTERN
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

__all__ = ["BytesAcceptor", "canonical_xml_acceptor"]

BytesAcceptor = Callable[[bytes], bool]

_ANY_TEXT = rb"[^<]*+"  # what the walker reads as is: no markup, any characters
_BOOLEAN = rb"(?:true|false|1|0)"
# A literal attribute value equals the namespace only when nothing in it needs escaping.
_UNESCAPED = re.compile(r"[^&<>\"'\s]+")


class _Unsupported(Exception):
    """The contract has a type this module does not describe: no bytes acceptor."""


def _declared(
    outer: NamespaceScope, namespace: str | None, number: int
) -> tuple[NamespaceScope, str]:
    """:meth:`NamespaceScope.declared`, for a namespace the expression can spell as is."""
    scope, attribute = outer.declared(namespace, number)
    if attribute and namespace is not None:
        _literal(namespace)
    return scope, attribute


def _literal(namespace: str) -> str:
    if not _UNESCAPED.fullmatch(namespace):
        raise _Unsupported(f"namespace {namespace!r} would need escaping")
    return namespace


def _at_most(bound: int) -> str:
    """Decimal numerals from 0 to ``bound``: fewer digits than it has, or as many and
    below it at the first digit that differs, or ``bound`` itself."""
    digits = str(bound)
    forms = [f"[0-9]{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for index, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - index - 1
            forms.append(f"{digits[:index]}[0-{int(digit) - 1}][0-9]{{{rest}}}")
    return "(?:" + "|".join([*forms, digits]) + ")"


def _integer(primitive: Primitive) -> bytes:
    # The walker's range, spelled digit by digit (no sign "+", no surrounding space).
    low, high = INTEGER_RANGES[primitive]
    negative = [f"-{_at_most(-low)}"] if low < 0 else []
    return ("(?:" + "|".join([*negative, _at_most(high)]) + ")").encode()


def _text_pattern(primitive: Primitive) -> bytes:
    """The lexical forms of a scalar the walker accepts without failure (a subset)."""
    if primitive in INTEGER_RANGES:
        return _integer(primitive)
    if primitive is Primitive.BOOLEAN:
        return _BOOLEAN
    if primitive is Primitive.GUID:
        return GUID_D_PATTERN.encode()
    if primitive is Primitive.DATETIME:
        return ROUND_TRIP_PATTERN.encode()
    return _ANY_TEXT


class _Generator:
    """Builds the expression element by element, tracking the bindings it declared."""

    def __init__(self, catalog: TypeCatalog) -> None:
        self._catalog = catalog
        self._visiting: set[ComplexRef] = set()

    def element(
        self,
        local: str,
        namespace: str,
        clr: ClrType,
        scope: NamespaceScope,
        *,
        declare: str | None,
    ) -> bytes:
        """An element ``local`` in ``namespace`` holding ``clr``, written inside ``scope``;
        ``declare`` is the namespace the member declares for its value."""
        inner, prefix, implicit = scope.child(namespace)
        if implicit:
            _literal(namespace)
        tag = f"{prefix}:{local}" if prefix else local
        inner, member_declared = _declared(inner, declare, 1)
        inner, items_declared = _declared(
            inner, items_namespace_to_declare(clr), 1 + bool(member_declared)
        )
        declared = member_declared + items_declared
        forms = self.forms(f"<{tag}{declared}{implicit}", f"</{tag}>", clr, inner)
        if is_nullable(clr, self._catalog):
            forms.append(re.escape(f'<{tag}{member_declared} i:nil="true"{implicit} />'.encode()))
        return b"(?>" + b"|".join(forms) + b")"

    def forms(self, start: str, close: str, clr: ClrType, scope: NamespaceScope) -> list[bytes]:
        """The non-null spellings: ``start`` + ``>`` content ``close``, or ``start`` + ``/>``."""
        opened, closed = re.escape(f"{start}>".encode()), re.escape(close.encode())
        empty = re.escape(f"{start} />".encode())
        match clr:
            case NullableType(inner=inner):
                return self.forms(start, close, inner, scope)
            case PrimitiveType(primitive=primitive):
                text = _text_pattern(primitive)
                return [opened + text + closed] + ([empty] if text == _ANY_TEXT else [])
            case ArrayType(item=item):
                name = contract_name(item)
                items = self.element(name.name, name.namespace, item, scope, declare=None)
                return [opened + b"(?:" + items + b")*+" + closed, empty]
            case ComplexRef():
                content = self._members(clr, scope)
                return [opened + content + closed] + ([] if content else [empty])
        raise _Unsupported(f"type {clr!r}")

    def _members(self, ref: ComplexRef, scope: NamespaceScope) -> bytes:
        if ref in self._visiting:
            raise _Unsupported("recursive type")  # a regular expression cannot nest it
        self._visiting.add(ref)
        namespace = contract_name(ref).namespace
        members = xml_member_order(self._catalog[ref])
        parts = [
            self.element(
                m.name, namespace, m.type, scope, declare=namespace_to_declare(namespace, m.type)
            )
            for m in members
        ]
        self._visiting.discard(ref)
        return b"".join(parts)


def _document(contract: EndpointContract) -> bytes:
    """The whole body: the root declares ``i``, its items' namespace, then the default."""
    clr = contract.response_type
    if not isinstance(clr, ComplexRef | ArrayType):
        raise _Unsupported("the root is neither a class nor a collection")
    root = contract_name(clr)
    scope = NamespaceScope(1, (("", root.namespace), ("i", XSI_NS)))
    scope, declared = _declared(scope, items_namespace_to_declare(clr), 1)
    start = f'<{root.name} xmlns:i="{XSI_NS}"{declared} xmlns="{_literal(root.namespace)}"'
    forms = _Generator(contract.catalog).forms(start, f"</{root.name}>", clr, scope)
    # Whitespace after the root is outside the document element: no reader sees it.
    return b"(?>" + b"|".join(forms) + rb")[ \t\r\n]*+"


_CACHE: dict[int, tuple[EndpointContract, BytesAcceptor | None]] = {}


def canonical_xml_acceptor(contract: EndpointContract) -> BytesAcceptor | None:
    """A function that says True only for a body (which lxml's hardened parser accepts)
    in DataContractSerializer's exact form with values the precise walker accepts; None
    when the contract has a type this module does not describe. Built once per contract.
    """
    hit = _CACHE.get(id(contract))
    if hit is None or hit[0] is not contract:
        hit = _CACHE[id(contract)] = (contract, _build(contract))
    return hit[1]


def _build(contract: EndpointContract) -> BytesAcceptor | None:
    try:
        pattern = re.compile(_document(contract))
    except _Unsupported:
        return None
    fullmatch = pattern.fullmatch

    def accept(body: bytes) -> bool:
        return fullmatch(body) is not None

    return accept
