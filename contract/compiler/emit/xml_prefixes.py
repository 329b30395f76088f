"""The namespace prefix DataContractSerializer gives each element of a document.

The serializer binds the root's namespace as the default one and ``i`` to XML Schema
instance on the root; a member element whose value's type lives in another namespace
declares it as ``d{depth}p1`` (:func:`~contract.datacontract.namespace_to_declare`,
:func:`~contract.datacontract.declared_prefix`); every element takes the innermost prefix
bound to its namespace, redeclaring the default namespace when none is.
:func:`element_prefixes` walks the types of a document the way the serializer writes
them and tells, for each place an OpenAPI ``xml`` object describes, the prefix written
there. Prefixes carry no meaning; they are reported so that the document shows what
the wire shows.

A place (:data:`Site`) is ``("type", ref)`` for the element of a complex type (the root
or a collection item), ``("member", ref, name)`` for a member element, ``("root", type)``
for a root that is not a complex type, each followed by one ``"items"`` per collection
level below it. ``""`` is the default namespace (no prefix); None means the place is
written with different prefixes in different parts of the document.
"""

from __future__ import annotations

from collections.abc import Iterable

from contract.clr import ArrayType, ClrType, ComplexRef, NullableType, TypeCatalog
from contract.datacontract import (
    XSI_NS,
    NamespaceScope,
    contract_name,
    namespace_to_declare,
    root_element_name,
    xml_member_order,
)

__all__ = ["XSI_PREFIX", "Site", "element_prefixes"]

XSI_PREFIX = "i"
"""The prefix the serializer binds to the XML Schema instance namespace, on the root."""

Site = tuple[object, ...]
"""A place in the document an OpenAPI ``xml`` object describes (see the module doc)."""


def element_prefixes(roots: Iterable[ClrType], catalog: TypeCatalog) -> dict[Site, str | None]:
    """The prefix of every place of the documents whose roots are of the types ``roots``."""
    walk = _Walk(catalog)
    for root in roots:
        walk.root(root)
    return walk.found


class _Walk:
    """Every place of a document in the order the serializer writes it, with its scope."""

    def __init__(self, catalog: TypeCatalog) -> None:
        self._catalog = catalog
        self._path: set[ComplexRef] = set()
        self.found: dict[Site, str | None] = {}

    def _record(self, site: Site, prefix: str) -> None:
        if self.found.setdefault(site, prefix) != prefix:
            self.found[site] = None

    def root(self, clr_type: ClrType) -> None:
        """The root element: its namespace is the default one and it binds ``i``."""
        namespace = root_element_name(clr_type).namespace
        # A collection is in its items' namespace (Arrays for primitives, which declare
        # nothing), so, unlike a member, it never declares one for its items.
        scope = NamespaceScope(1, (("", namespace), (XSI_PREFIX, XSI_NS)))
        site: Site = ("type", clr_type) if isinstance(clr_type, ComplexRef) else ("root", clr_type)
        self._record(site, "")
        self._content(clr_type, scope, site)

    def _element(
        self,
        site: Site,
        namespace: str,
        clr_type: ClrType,
        outer: NamespaceScope,
        declare: str | None,
    ) -> None:
        scope, prefix, _ = outer.child(namespace)
        self._record(site, prefix)
        unwrapped = clr_type.inner if isinstance(clr_type, NullableType) else clr_type
        if isinstance(unwrapped, ComplexRef) and site[-1] == "items":
            self._record(("type", unwrapped), prefix)
        scope = scope.declare(declare)
        self._content(clr_type, scope, site)

    def _content(self, clr_type: ClrType, scope: NamespaceScope, site: Site) -> None:
        match clr_type:
            case NullableType(inner=inner):
                self._content(inner, scope, site)
            case ArrayType(item=item):
                namespace = contract_name(clr_type).namespace  # items are in the collection's
                self._element((*site, "items"), namespace, item, scope, None)
            case ComplexRef() if clr_type not in self._path:
                # A type met again inside itself is written the same way: stop there.
                self._path.add(clr_type)
                namespace = contract_name(clr_type).namespace
                for member in xml_member_order(self._catalog[clr_type]):
                    declare = namespace_to_declare(namespace, member.type)
                    member_site = ("member", clr_type, member.name)
                    self._element(member_site, namespace, member.type, scope, declare)
                self._path.discard(clr_type)
