"""Wire values: the neutral value tree every serializer reads and every reader produces.

A *wire value* is what one CLR value of a contract looks like in Python:

* a complex type (class or struct) is a ``dict[str, Any]`` keyed by the WIRE member
  names (``"Sucess"``, ``"Data"``...), holding every member of the type; writers also
  take a ``tuple`` of every member's value in declaration order (readers give dicts);
* ``System.Boolean`` → ``bool``; ``Byte``/``Int16``/``Int32``/``Int64`` → ``int`` (in the
  type's range); ``String`` and ``Uri`` → ``str``; ``Char`` → a one-character ``str``;
  ``Guid`` → ``uuid.UUID`` (or :class:`GuidText`, its text); ``DateTime`` →
  :class:`~contract.netdatetime.NetDateTime` (100 ns ticks and kind); ``Decimal`` →
  ``decimal.Decimal``; ``Double``/``Single`` → ``float``; ``Byte[]`` → ``bytes``;
* a collection is a ``list``; null is ``None`` (only where the type is nullable).

Strings may hold any Unicode text except lone surrogates, which UTF-8 cannot encode.

Comparing a value read from JSON with one read from XML: both formats lose something.
The service's JSON keeps no date fraction and no kind (``yyyy-MM-ddTHH:mm:ssZ``), and
XML keeps no newline form: the writer turns every ``\\n``, ``\\r`` and ``\\r\\n`` into its
host's newline (``\\r\\n`` on Windows, ``\\n`` on Linux) and every XML parser turns
``\\r\\n`` and a lone ``\\r`` back into ``\\n``. :func:`comparable` maps a value to that
common precision, so ``comparable(read_json(...)) == comparable(read_xml(...))`` holds
for two renderings of the same value, whichever newline the XML was written with.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any, NoReturn

from contract.clr import (
    GUID_D_PATTERN,
    INTEGER_RANGES,
    ArrayType,
    ClrType,
    ComplexRef,
    DictionaryType,
    NullableType,
    Primitive,
    PrimitiveType,
    TypeCatalog,
    display_name,
    is_nullable,
)
from contract.netdatetime import TICKS_PER_SECOND, DateTimeKind, NetDateTime

__all__ = [
    "INTEGER_RANGES",
    "SUPPORTED_PRIMITIVES",
    "GuidText",
    "UnsupportedTypeError",
    "WireFormatError",
    "WireValueError",
    "check_wire_value",
    "comparable",
    "json_pointer",
    "normalize_newlines",
    "require_supported",
]

SUPPORTED_PRIMITIVES = frozenset(
    {
        *INTEGER_RANGES,
        Primitive.BOOLEAN,
        Primitive.DOUBLE,
        Primitive.DECIMAL,
        Primitive.STRING,
        Primitive.CHAR,
        Primitive.GUID,
        Primitive.DATETIME,
        Primitive.URI,
        Primitive.BYTE_ARRAY,
    }
)


_GUID_TEXT = re.compile(GUID_D_PATTERN)


class GuidText(str):
    """A ``System.Guid`` wire value held as its text: the ``D`` format, lowercase.

    The writers copy it as it is, which is the text they write for the equal
    ``uuid.UUID``; a caller that keeps GUIDs as text (a database column) saves the parse
    and the format per value. Only the exact ``D`` lowercase form is accepted, so a
    ``GuidText`` is always what the service writes; anything else raises ValueError.
    """

    __slots__ = ()

    def __new__(cls, text: str) -> GuidText:
        """``text`` checked to be ``xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`` in lowercase hex."""
        if type(text) is not str or _GUID_TEXT.fullmatch(text) is None:
            raise ValueError(f"not a GUID in the lowercase D form: {text!r}")
        return super().__new__(cls, text)

    @classmethod
    def unchecked(cls, text: str) -> GuidText:
        """``text`` as a GuidText without the check, for text known to be the D form.

        Only for text the caller made with ``str(uuid.UUID)`` itself (a value it stored):
        the check costs more than the rest of writing the value.
        """
        return str.__new__(cls, text)


class UnsupportedTypeError(ValueError):
    """A contract uses a CLR type the wire serializers do not implement."""


class WireValueError(ValueError):
    """A wire value that does not fit its contract type; ``pointer`` is a JSON pointer."""

    def __init__(self, message: str, *, pointer: str) -> None:
        self.pointer = pointer
        self.reason = message
        super().__init__(f"at {pointer or '/'}: {message}")


class WireFormatError(ValueError):
    """A response body that does not match the contract.

    ``location`` is a JSON pointer (JSON) or an XPath-like element path (XML); ``line``
    is the 1-based source line where known.
    """

    def __init__(self, message: str, *, location: str, line: int | None = None) -> None:
        self.location = location
        self.line = line
        self.reason = message
        where = location if line is None else f"{location} (line {line})"
        super().__init__(f"{where}: {message}")


def json_pointer(parts: tuple[str | int, ...]) -> str:
    """RFC 6901 pointer for a path of member names and list indexes."""
    escaped = (str(part).replace("~", "~0").replace("/", "~1") for part in parts)
    return "".join("/" + part for part in escaped)


def normalize_newlines(text: str) -> str:
    """``\\r\\n`` and a lone ``\\r`` as ``\\n``: a string after an XML round trip.

    The service's XmlWriter writes each newline as its host's (``\\r\\n`` or ``\\n``), and an
    XML parser's end-of-line handling reads ``\\r\\n`` and ``\\r`` as ``\\n``: either way a
    reader sees this text.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


def comparable(value: Any) -> Any:
    """``value`` at the precision both wire formats keep, for cross-format comparison.

    Dates become their wall-clock second with UNSPECIFIED kind (what the service's JSON
    keeps); strings get XML's newline normalization; containers are mapped recursively.
    """
    if isinstance(value, NetDateTime):
        second = value.ticks - value.ticks % TICKS_PER_SECOND
        return NetDateTime(second, DateTimeKind.UNSPECIFIED)
    if isinstance(value, str):
        return normalize_newlines(value)
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [comparable(item) for item in value]
    return value


def require_supported(clr_type: ClrType, catalog: TypeCatalog) -> None:
    """Raise :class:`UnsupportedTypeError` naming the first type the serializers cannot write."""
    match clr_type:
        case PrimitiveType(primitive=primitive) if primitive not in SUPPORTED_PRIMITIVES:
            raise UnsupportedTypeError(f"contract.wire cannot serialize {primitive.value}")
        case DictionaryType():
            raise UnsupportedTypeError(f"contract.wire cannot serialize {display_name(clr_type)}")
        case NullableType(inner=inner):
            require_supported(inner, catalog)
        case ArrayType(item=item):
            require_supported(item, catalog)
        case ComplexRef():
            for complex_type in catalog.reachable_from(clr_type):
                for member in complex_type.members:
                    if not isinstance(member.type, ComplexRef):
                        require_supported(member.type, catalog)
        case _:
            return


def check_wire_value(value: Any, clr_type: ClrType, catalog: TypeCatalog) -> None:
    """Raise :class:`WireValueError` (with a JSON pointer) where ``value`` does not fit.

    The writers trust their input for speed and call this to explain a failure.
    """
    _check(value, clr_type, catalog, ())


def _check(
    value: Any, clr_type: ClrType, catalog: TypeCatalog, path: tuple[str | int, ...]
) -> None:
    if value is None:
        if not is_nullable(clr_type, catalog):
            _fail(f"null is not allowed for {display_name(clr_type)}", path)
        return
    match clr_type:
        case NullableType(inner=inner):
            _check(value, inner, catalog, path)
        case PrimitiveType(primitive=primitive):
            _check_scalar(value, primitive, path)
        case ArrayType(item=item):
            if not isinstance(value, list):
                _fail(f"expected a list for {display_name(clr_type)}, got {_kind(value)}", path)
            for index, element in enumerate(value):
                _check(element, item, catalog, (*path, index))
        case ComplexRef():
            _check_complex(value, clr_type, catalog, path)
        case DictionaryType():
            _fail(f"{display_name(clr_type)} is not supported", path)


def _check_complex(
    value: Any, ref: ComplexRef, catalog: TypeCatalog, path: tuple[str | int, ...]
) -> None:
    members = catalog[ref].members
    names = [member.name for member in members]
    if isinstance(value, tuple):
        if len(value) != len(names):
            _fail(f"{ref.name} has {len(names)} members, the tuple {len(value)} values", path)
        value = dict(zip(names, value, strict=True))
    if not isinstance(value, dict):
        _fail(f"expected a dict for {ref.name}, got {_kind(value)}", path)
    missing = [name for name in names if name not in value]
    extra = sorted(str(key) for key in value if key not in names)
    if missing or extra:
        _fail(f"{ref.name} members differ: missing {missing}, unknown {extra}", path)
    for member in members:
        _check(value[member.name], member.type, catalog, (*path, member.name))


_SCALAR_TYPES: dict[Primitive, tuple[type, ...]] = {
    Primitive.BOOLEAN: (bool,),
    Primitive.DOUBLE: (float, int),
    Primitive.DECIMAL: (Decimal, int),
    Primitive.STRING: (str,),
    Primitive.URI: (str,),
    Primitive.CHAR: (str,),
    Primitive.GUID: (uuid.UUID, GuidText),
    Primitive.DATETIME: (NetDateTime,),
    Primitive.BYTE_ARRAY: (bytes,),
}


def _check_scalar(value: Any, primitive: Primitive, path: tuple[str | int, ...]) -> None:
    if primitive in INTEGER_RANGES:
        low, high = INTEGER_RANGES[primitive]
        if type(value) is not int or not low <= value <= high:
            _fail(
                f"expected an integer in [{low}, {high}] for {primitive.value}, got {value!r}", path
            )
        return
    expected = _SCALAR_TYPES.get(primitive)
    if expected is None:
        _fail(f"{primitive.value} is not supported", path)
    if not isinstance(value, expected) or (bool not in expected and isinstance(value, bool)):
        _fail(f"expected {expected[0].__name__} for {primitive.value}, got {_kind(value)}", path)
    if isinstance(value, str):
        _check_text(value, primitive, path)


def _check_text(value: str, primitive: Primitive, path: tuple[str | int, ...]) -> None:
    if primitive is Primitive.CHAR and len(value) != 1:
        _fail(f"a System.Char is one character, got {value!r}", path)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        bad = value[error.start]
        _fail(
            f"lone surrogate U+{ord(bad):04X} at index {error.start}: UTF-8 cannot encode it",
            path,
        )


def _kind(value: Any) -> str:
    return type(value).__name__


def _fail(message: str, path: tuple[str | int, ...]) -> NoReturn:
    raise WireValueError(message, pointer=json_pointer(path))
