"""DataContractSerializer's XML, byte for byte, as Web API's XmlMediaTypeFormatter writes it.

The writer is compiled once per contract into closures over precomputed tags, so writing
costs string concatenation only. The rules it reproduces:

* root ``<{Name} xmlns:i="{XSI}" xmlns="{ns}">``; members in ordinal name order; every
  member written, null as ``<X i:nil="true" />``; a scalar always with its end tag, so an
  empty string is ``<X></X>`` (the serializer wrote its value, though it is empty); only
  an element with no content written at all takes ``<X />``: an empty collection, or a
  type without members;
* namespace prefixes (``XmlWriterDelegator.WriteXmlnsAttribute``): a member whose type is
  not a built-in primitive and whose contract namespace differs from the containing
  type's declares it on the member element, even when the value is null, as
  ``xmlns:d{depth}p{n}`` where ``depth`` is the element's nesting depth (root = 1) and
  ``n`` counts declarations on that element from 1 - unless the namespace is already in
  scope. A collection also declares its items' namespace when it differs from its own.
  An element takes the innermost prefix bound to its namespace (no prefix for the
  default namespace); if none is bound it redeclares the default namespace, last;
* text escaping, newlines and invalid characters as
  :func:`contract.wire._scalars.xml_text_formatter` for the writer's :class:`XmlNewline`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contract.clr import (
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
from contract.wire._codegen import generate_member_writer
from contract.wire._scalars import XmlNewline, remembered, xml_formatter, xml_text_formatter
from contract.wire._splice import Splicer
from contract.wire.values import UnsupportedTypeError

__all__ = ["compile_xml_writer"]

Writer = Callable[[Any], str]


@dataclass(frozen=True)
class _Tags:
    """The precomputed markup of one element."""

    open: str
    empty: str
    nil: str
    close: str


class _Compiler:
    def __init__(self, catalog: TypeCatalog, splicer: Splicer, newline: XmlNewline) -> None:
        self._catalog = catalog
        self._splicer = splicer
        self._newline = newline
        self._generating: set[ComplexRef] = set()

    def element(
        self,
        local: str,
        namespace: str,
        clr_type: ClrType,
        scope: NamespaceScope,
        *,
        declare: str | None,
    ) -> Writer:
        """A writer for a whole element holding ``clr_type`` (its member namespace ``declare``)."""
        tags, inner = self._tags(local, namespace, clr_type, scope, declare)
        nullable = is_nullable(clr_type, self._catalog)
        unwrapped = clr_type.inner if isinstance(clr_type, NullableType) else clr_type
        if isinstance(unwrapped, ComplexRef):
            return self.complex_element(unwrapped, tags, inner, nullable=nullable)
        content = self.element_content(unwrapped, inner)
        open_tag, empty, nil, close = tags.open, tags.empty, tags.nil, tags.close
        # A scalar's text is written even when empty: the end tag is full then.
        keeps_end_tag = isinstance(unwrapped, PrimitiveType)

        def write(value: Any) -> str:
            if value is None:
                if nullable:
                    return nil
                raise ValueError("null for a non-nullable type")
            body = content(value)
            return open_tag + body + close if body or keeps_end_tag else empty

        return write

    def _tags(
        self,
        local: str,
        namespace: str,
        clr_type: ClrType,
        scope: NamespaceScope,
        declare: str | None,
    ) -> tuple[_Tags, NamespaceScope]:
        inner, prefix, implicit = scope.child(namespace)
        tag = f"{prefix}:{local}" if prefix else local
        inner, member_decls = inner.declared(declare)
        items_namespace = items_namespace_to_declare(clr_type)
        inner, items_decls = inner.declared(items_namespace, 1 + bool(member_decls))
        value_decls = member_decls + items_decls
        tags = _Tags(
            open=f"<{tag}{value_decls}{implicit}>",
            empty=f"<{tag}{value_decls}{implicit} />",
            nil=f'<{tag}{member_decls} i:nil="true"{implicit} />',
            close=f"</{tag}>",
        )
        return tags, inner

    def element_content(self, clr_type: ClrType, scope: NamespaceScope) -> Writer:
        """A writer for the text or items of an element holding a scalar or a collection."""
        match clr_type:
            case PrimitiveType(primitive=primitive):
                return xml_formatter(primitive, self._newline)
            case ArrayType(item=item):
                return self._collection(clr_type, item, scope)
            case _:
                raise UnsupportedTypeError(f"contract.wire cannot serialize {clr_type}")

    def _collection(self, clr_type: ArrayType, item: ClrType, scope: NamespaceScope) -> Writer:
        namespace = contract_name(clr_type).namespace
        write_item = self.element(contract_name(item).name, namespace, item, scope, declare=None)
        spliced = self._splicer.write_items

        def write(value: Any) -> str:
            if type(value) is not list:
                raise TypeError("not a list")
            token = spliced(value, write_item, separator="")
            if token is not None:
                return token
            return "".join([write_item(element) for element in value])

        return write

    def complex_element(
        self, ref: ComplexRef, tags: _Tags, scope: NamespaceScope, *, nullable: bool
    ) -> Writer:
        """A generated writer for a whole element holding a class or struct ``ref``."""
        if ref in self._generating:
            # The type contains itself: generate this level when it is first written.
            generated: list[Writer] = []

            def write(value: Any) -> str:
                if not generated:
                    generated.append(self.complex_element(ref, tags, scope, nullable=nullable))
                return generated[0](value)

            return write
        self._generating.add(ref)
        try:
            return self._generate(ref, tags, scope, nullable=nullable)
        finally:
            self._generating.discard(ref)

    def _generate(
        self, ref: ComplexRef, tags: _Tags, scope: NamespaceScope, *, nullable: bool
    ) -> Writer:
        namespace = contract_name(ref).namespace
        members = xml_member_order(self._catalog[ref])
        constants: dict[str, Any] = {}
        constants.update(OPEN=tags.open, CLOSE=tags.close, EMPTY=tags.empty, NIL=tags.nil)
        expressions = ["OPEN"] if members else ["EMPTY"]
        for index, member in enumerate(members):
            declare = namespace_to_declare(namespace, member.type)
            unwrapped = member.type.inner if isinstance(member.type, NullableType) else member.type
            if not isinstance(unwrapped, PrimitiveType):
                constants[f"W{index}"] = self.element(
                    member.name, namespace, member.type, scope, declare=declare
                )
                expressions.append(f"W{index}(x{index})")
                continue
            member_tags, _ = self._tags(member.name, namespace, member.type, scope, declare)
            constants[f"O{index}"], constants[f"C{index}"] = member_tags.open, member_tags.close
            constants[f"N{index}"] = member_tags.nil
            if unwrapped.primitive in _TEXTS:
                # A text written before is looked up; the formatter writes the others.
                text = xml_text_formatter(self._newline)
                constants[f"M{index}"], constants[f"F{index}"] = remembered(text)
            else:
                constants[f"F{index}"] = xml_formatter(unwrapped.primitive, self._newline)
            member_nullable = is_nullable(member.type, self._catalog)
            expressions.append(
                _scalar_expression(index, unwrapped.primitive, nullable=member_nullable)
            )
        expressions += ["CLOSE"] if members else []
        keys = [member.name for member in members]
        declared = [member.name for member in self._catalog[ref].members]
        return generate_member_writer(
            keys, expressions, constants, null="NIL" if nullable else None,
            positions=[declared.index(key) for key in keys],
        )  # fmt: skip


def _scalar_expression(index: int, primitive: Primitive, *, nullable: bool) -> str:
    """Source for one scalar member element; the formatter raises on a misplaced None."""
    x = f"x{index}"
    # A remembered text first (see remembered()), then the formatter.
    # An empty text keeps the full end tag (``<X></X>``), like any other value.
    text = f"(M{index}({x}) or F{index}({x}))" if primitive in _TEXTS else f"F{index}({x})"
    if not nullable:
        # Three join items instead of two concatenations: fewer intermediate strings.
        return f"O{index}, {text}, C{index}"
    return f"(N{index} if {x} is None else O{index} + {text} + C{index})"


_TEXTS = frozenset({Primitive.STRING, Primitive.URI})


def compile_xml_writer(
    root_type: ClrType,
    catalog: TypeCatalog,
    *,
    splicer: Splicer | None = None,
    newline: XmlNewline = XmlNewline.CRLF,
) -> Writer:
    """A function writing a non-null value of ``root_type`` as the XML document text.

    Newlines in text are written as ``newline`` (the service's Windows host: CRLF).
    Large collections go to ``splicer``'s sink while it is collecting.
    """
    if not isinstance(root_type, ComplexRef | ArrayType):
        raise UnsupportedTypeError("contract.wire writes XML only for complex and collection roots")
    root = contract_name(root_type)
    outer = NamespaceScope(1, (("", root.namespace), ("i", XSI_NS)))
    scope, declarations = outer.declared(items_namespace_to_declare(root_type))
    start = f'<{root.name} xmlns:i="{XSI_NS}"{declarations} xmlns="{root.namespace}"'
    # A null root is written by DataContractSerializer in a form no golden file shows.
    tags = _Tags(open=start + ">", empty=start + " />", nil="", close=f"</{root.name}>")
    compiler = _Compiler(catalog, splicer or Splicer(), newline)
    if isinstance(root_type, ComplexRef):
        return compiler.complex_element(root_type, tags, scope, nullable=False)
    content = compiler.element_content(root_type, scope)

    def write(value: Any) -> str:
        if value is None:
            raise ValueError("the XML writer needs a non-null response value")
        body = content(value)
        return tags.open + body + tags.close if body else tags.empty

    return write
