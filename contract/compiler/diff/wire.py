"""What of a CLR type is on the wire: the form the diff compares types in.

Neither reader sees which collection class the action declared (``List<T>``, ``T[]``,
``Collection<T>`` all write the same ``ArrayOfT``), and a data-contract namespace given
explicitly is the same as the default one it equals. :func:`wire_type` drops both, so
a contract read back from a generated ``openapi.yaml`` (which keeps neither) compares
equal to the one it was generated from.
"""

from __future__ import annotations

from contract.clr import (
    ArrayType,
    ClrType,
    ComplexRef,
    DictionaryType,
    NullableType,
    PrimitiveType,
)
from contract.datacontract import clr_namespace_uri

__all__ = ["same_wire_type", "wire_type"]


def wire_type(clr_type: ClrType) -> ClrType:
    """``clr_type`` with every collection's CLR class and every default-valued explicit
    data-contract namespace dropped."""
    match clr_type:
        case PrimitiveType():
            return clr_type
        case NullableType(inner=inner):
            return NullableType(wire_type(inner))
        case ArrayType(item=item):
            return ArrayType(wire_type(item))
        case DictionaryType(key=key, value=value):
            return DictionaryType(wire_type(key), wire_type(value))
        case ComplexRef():
            return _wire_ref(clr_type)


def _wire_ref(ref: ComplexRef) -> ComplexRef:
    namespace = ref.contract_namespace
    if namespace == clr_namespace_uri(ref.clr_namespace):
        namespace = None
    args = tuple(wire_type(arg) for arg in ref.generic_args)
    return ComplexRef(ref.clr_namespace, ref.name, args, namespace)


def same_wire_type(old: ClrType, new: ClrType) -> bool:
    """Whether two types write the same wire form (see :func:`wire_type`)."""
    return wire_type(old) == wire_type(new)
