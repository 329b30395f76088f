"""DataContractSerializer naming: the XML name and namespace .NET gives each CLR type.

The rules follow `DataContract.GetStableName` in .NET's System.Runtime.Serialization:

* a class in CLR namespace ``N`` lives in ``http://schemas.datacontract.org/2004/07/N``;
* a generic class is named ``NameOf`` followed by each argument's contract name, plus a
  digest of the arguments' namespaces when any of them is not a built-in namespace;
* every collection is ``ArrayOf`` + its item's name, in the item's namespace, or in the
  ``.../Serialization/Arrays`` namespace when the item is a built-in XSD type;
* a dictionary is a collection of the generic ``KeyValue<K, V>`` in the Arrays namespace.

And the names of the elements the serializer writes (``XmlObjectSerializer`` and
``XmlWriterDelegator``): the document root (:func:`root_element_name`), the namespace a
member element declares (:func:`namespace_to_declare`) and the prefix it declares it with
(:func:`declared_prefix`).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from urllib.parse import quote

from contract.clr import (
    ArrayType,
    ClrType,
    ComplexRef,
    ComplexType,
    DictionaryType,
    Member,
    NullableType,
    Primitive,
    PrimitiveType,
)

__all__ = [
    "ARRAYS_NS",
    "DATACONTRACT_BASE_NS",
    "SCHEMA_NS",
    "SERIALIZATION_NS",
    "XSI_NS",
    "NamespaceScope",
    "QName",
    "clr_namespace_uri",
    "collection_name",
    "contract_name",
    "declared_prefix",
    "items_namespace_to_declare",
    "namespace_to_declare",
    "namespaces_digest",
    "root_element_name",
    "xml_member_order",
]

SCHEMA_NS = "http://www.w3.org/2001/XMLSchema"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SERIALIZATION_NS = "http://schemas.microsoft.com/2003/10/Serialization/"
ARRAYS_NS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
DATACONTRACT_BASE_NS = "http://schemas.datacontract.org/2004/07/"
_SYSTEM_NS = DATACONTRACT_BASE_NS + "System"
_BUILT_IN_NAMESPACES = frozenset({SCHEMA_NS, SERIALIZATION_NS})


@dataclass(frozen=True, order=True)
class QName:
    """An XML qualified name: local name and namespace URI."""

    name: str
    namespace: str

    def clark(self) -> str:
        """The ``{namespace}name`` form lxml uses."""
        return f"{{{self.namespace}}}{self.name}"


_PRIMITIVE_NAMES: dict[Primitive, QName] = {
    Primitive.BOOLEAN: QName("boolean", SCHEMA_NS),
    Primitive.BYTE: QName("unsignedByte", SCHEMA_NS),
    Primitive.INT16: QName("short", SCHEMA_NS),
    Primitive.INT32: QName("int", SCHEMA_NS),
    Primitive.INT64: QName("long", SCHEMA_NS),
    Primitive.SINGLE: QName("float", SCHEMA_NS),
    Primitive.DOUBLE: QName("double", SCHEMA_NS),
    Primitive.DECIMAL: QName("decimal", SCHEMA_NS),
    Primitive.STRING: QName("string", SCHEMA_NS),
    Primitive.CHAR: QName("char", SERIALIZATION_NS),
    Primitive.GUID: QName("guid", SERIALIZATION_NS),
    Primitive.DATETIME: QName("dateTime", SCHEMA_NS),
    Primitive.DATETIMEOFFSET: QName("DateTimeOffset", _SYSTEM_NS),
    Primitive.TIMESPAN: QName("duration", SERIALIZATION_NS),
    Primitive.URI: QName("anyURI", SCHEMA_NS),
    Primitive.BYTE_ARRAY: QName("base64Binary", SCHEMA_NS),
    Primitive.OBJECT: QName("anyType", SCHEMA_NS),
}


def clr_namespace_uri(clr_namespace: str) -> str:
    """The data-contract namespace of a CLR namespace (``Uri.AbsoluteUri`` escaping)."""
    return DATACONTRACT_BASE_NS + quote(clr_namespace, safe="/.-_~!$&'()*+,;=:@")


def namespaces_digest(nested_parameter_counts: list[int], argument_namespaces: list[str]) -> str:
    """The suffix .NET appends to a generic contract name (``GetNamespacesDigest``).

    The input is ``" " + count`` for each nesting level, then ``" " + namespace`` for each
    type argument; the suffix is the first 6 bytes of its MD5, in base64 without padding,
    with ``/`` and ``+`` spelled ``_S`` and ``_P`` so that the name stays an XML name.
    """
    text = "".join(f" {count}" for count in nested_parameter_counts)
    text += "".join(f" {namespace}" for namespace in argument_namespaces)
    digest = hashlib.md5(text.encode("utf-8"), usedforsecurity=False).digest()[:6]
    encoded = base64.b64encode(digest).decode("ascii").rstrip("=")
    return encoded.replace("/", "_S").replace("+", "_P")


def _generic_name(base: str, arguments: tuple[ClrType, ...]) -> str:
    names = [contract_name(argument) for argument in arguments]
    local = base + "Of" + "".join(name.name for name in names)
    namespaces = [name.namespace for name in names]
    if any(namespace not in _BUILT_IN_NAMESPACES for namespace in namespaces):
        local += namespaces_digest([len(arguments)], namespaces)
    return local


def contract_name(clr_type: ClrType) -> QName:
    """The data-contract name and namespace DataContractSerializer uses for ``clr_type``."""
    match clr_type:
        case PrimitiveType(primitive=primitive):
            return _PRIMITIVE_NAMES[primitive]
        case NullableType(inner=inner):
            return contract_name(inner)
        case ArrayType(item=item):
            return collection_name(contract_name(item))
        case DictionaryType(key=key, value=value):
            key_value = QName(_generic_name("KeyValue", (key, value)), ARRAYS_NS)
            return collection_name(key_value)
        case ComplexRef(clr_namespace=clr_ns, name=name, generic_args=args):
            local = _generic_name(name, args) if args else name
            return QName(local, clr_type.contract_namespace or clr_namespace_uri(clr_ns))


def collection_name(item: QName) -> QName:
    """``ArrayOf`` + the item's name, in the item's namespace, or in the Arrays namespace
    when the item is a built-in XSD type (``GetCollectionStableName``)."""
    namespace = ARRAYS_NS if item.namespace in _BUILT_IN_NAMESPACES else item.namespace
    return QName("ArrayOf" + item.name, namespace)


def _ordinal_key(name: str) -> bytes:
    # .NET's ordinal comparison compares UTF-16 code units, not code points.
    return name.encode("utf-16-be")


def xml_member_order(complex_type: ComplexType) -> tuple[Member, ...]:
    """Members in the order DataContractSerializer writes them: ordinal by name.

    (No member of these contracts sets ``DataMember.Order`` and none inherits, so the
    base-class-first and ``Order`` rules have nothing to reorder.)
    """
    return tuple(sorted(complex_type.members, key=lambda member: _ordinal_key(member.name)))


def root_element_name(clr_type: ClrType) -> QName:
    """The element DataContractSerializer writes as the document root of a ``clr_type`` value.

    It is the type's contract name, except that a primitive whose contract is a built-in XSD
    type has its root element in the Serialization namespace
    (``<int xmlns="http://schemas.microsoft.com/2003/10/Serialization/">``): the schema
    namespace holds types, not elements.
    """
    name = contract_name(clr_type)
    if name.namespace == SCHEMA_NS:
        return QName(name.name, SERIALIZATION_NS)
    return name


def namespace_to_declare(container_namespace: str, clr_type: ClrType) -> str | None:
    """The namespace a member element declares for its value (``GetChildNamespaceToDeclare``).

    A member whose type is not a primitive and whose contract namespace differs from the
    namespace of the type containing it declares that namespace on the member element,
    even when the value is null; None when it declares nothing.
    """
    if isinstance(clr_type, NullableType):
        clr_type = clr_type.inner
    if isinstance(clr_type, PrimitiveType):
        return None
    namespace = contract_name(clr_type).namespace
    return namespace if namespace and namespace != container_namespace else None


def items_namespace_to_declare(clr_type: ClrType) -> str | None:
    """The namespace a collection element declares for its items (``ChildElementNamespace``):
    None for anything but a collection, or when the items need no declaration."""
    if isinstance(clr_type, NullableType):
        clr_type = clr_type.inner
    if not isinstance(clr_type, ArrayType):
        return None
    return namespace_to_declare(contract_name(clr_type).namespace, clr_type.item)


def declared_prefix(depth: int, number: int) -> str:
    """The prefix the serializer invents for the ``number``-th namespace (from 1) declared on
    an element at nesting ``depth`` (the root is 1): ``d{depth}p{number}``
    (``XmlWriterDelegator.WriteXmlnsAttribute``). Prefixes carry no meaning to readers.
    """
    return f"d{depth}p{number}"


@dataclass(frozen=True)
class NamespaceScope:
    """The namespace bindings in force inside an element at nesting ``depth`` (the root
    is 1), as the serializer tracks them to decide what an element must declare."""

    depth: int
    bindings: tuple[tuple[str, str], ...]  # (prefix, namespace), outermost first; "" = default

    def prefix_for(self, namespace: str) -> str | None:
        """The innermost prefix bound to ``namespace`` and not rebound since ("" = default)."""
        rebound: set[str] = set()
        for prefix, bound in reversed(self.bindings):
            if bound == namespace and prefix not in rebound:
                return prefix
            rebound.add(prefix)
        return None

    def nested(self) -> NamespaceScope:
        """The scope inside a child element, before it declares anything."""
        return NamespaceScope(self.depth + 1, self.bindings)

    def bind(self, prefix: str, namespace: str) -> NamespaceScope:
        """This scope with ``prefix`` bound to ``namespace``."""
        return NamespaceScope(self.depth, (*self.bindings, (prefix, namespace)))

    def declare(self, namespace: str | None, number: int = 1) -> NamespaceScope:
        """This scope with ``namespace`` bound to ``d{depth}p{number}``, unless it is in
        scope already (then it is returned unchanged)."""
        if namespace is None or self.prefix_for(namespace) is not None:
            return self
        return self.bind(declared_prefix(self.depth, number), namespace)

    def declared(self, namespace: str | None, number: int = 1) -> tuple[NamespaceScope, str]:
        """:meth:`declare`, with the attribute that declares the namespace ("" when it was
        in scope already)."""
        scope = self.declare(namespace, number)
        if scope is self:
            return scope, ""
        prefix, bound = scope.bindings[-1]
        return scope, f' xmlns:{prefix}="{bound}"'

    def child(self, namespace: str) -> tuple[NamespaceScope, str, str]:
        """Entering a child element in ``namespace``: the scope inside it, the element's
        prefix ("" = default), and the default-namespace declaration it must write ("" when
        a binding in scope names ``namespace`` already)."""
        prefix = self.prefix_for(namespace)
        inner = self.nested()
        if prefix is not None:
            return inner, prefix, ""
        return inner.bind("", namespace), "", f' xmlns="{namespace}"'
