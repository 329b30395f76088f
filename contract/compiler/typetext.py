"""Reading the type names an ASP.NET Web API help page prints, and writing them back.

A help page names a type in one of two ways (Microsoft.AspNet.WebApi.HelpPage's
``ModelDescriptionGenerator``):

* a *type word* for the simple types of its ``DefaultTypeDocumentation`` table
  (``integer``, ``string``, ``date``, ``globally unique identifier``...), and
  ``Collection of X`` / ``Dictionary of K [key] and V [value]`` for collections;
* a *model name* for a complex type: the type's name, optionally namespace-qualified, and
  for a generic type its "friendly" form ``NameOfArg1AndArg2`` (``ModelNameHelper``), so
  ``RestApiResult<List<InvoiceSendingStatusVo>>`` is printed as
  ``RestApiResultOfListOfInvoiceSendingStatusVo`` or, qualified,
  ``Ns.RestApiResultOfSystem.Collections.Generic.ListOfNs2.InvoiceSendingStatusVo``.

A model name is ambiguous by construction (``Of`` and ``And`` may be part of a class
name), so :func:`model_name_readings` returns every reading; :mod:`contract.compiler.resolve`
chooses among them with the rest of the page as evidence. Unqualified complex types are
returned with an empty CLR namespace for the resolver to fill in.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterable, Iterator
from typing import Any

from contract.clr import (
    ArrayType,
    ClrType,
    ComplexRef,
    Constraints,
    DictionaryType,
    NullableType,
    Primitive,
    PrimitiveType,
)

__all__ = [
    "ARRAY_CLR_NAME",
    "TYPE_WORDS",
    "TypeTextError",
    "friendly_name",
    "model_name_readings",
    "parse_annotations",
    "parse_type_text",
    "same_shape",
]


class TypeTextError(ValueError):
    """A type as a help page prints it that names no type this kit can represent."""


# HelpPage's DefaultTypeDocumentation: the word the page prints for each simple type.
# Several CLR types share a word; the page cannot tell them apart, so the most common
# one is chosen (int for "integer", decimal for "decimal number", DateTime for "date").
TYPE_WORDS: dict[str, Primitive] = {
    "integer": Primitive.INT32,
    "string": Primitive.STRING,
    "boolean": Primitive.BOOLEAN,
    "date": Primitive.DATETIME,
    "globally unique identifier": Primitive.GUID,
    "decimal number": Primitive.DECIMAL,
    "time interval": Primitive.TIMESPAN,
    "URI": Primitive.URI,
    "byte": Primitive.BYTE,
    "character": Primitive.CHAR,
}
_UNSUPPORTED_WORDS = ("unsigned integer", "signed byte")

ARRAY_CLR_NAME = "System.Array"
"""The ``ArrayType.clr_name`` of a ``T[]`` array (printed ``T[]`` by the help page)."""

_COLLECTIONS = frozenset(
    {
        "List",
        "IList",
        "ICollection",
        "IEnumerable",
        "IReadOnlyList",
        "IReadOnlyCollection",
        "Collection",
        "ReadOnlyCollection",
        "ObservableCollection",
        "HashSet",
        "ISet",
    }
)
_GENERIC_NS = "System.Collections.Generic"
_COLLECTION_NAMESPACES = frozenset({"System.Collections.Generic", "System.Collections.ObjectModel"})
_DICTIONARIES = frozenset({"Dictionary", "IDictionary", "IReadOnlyDictionary", "SortedDictionary"})
_PRIMITIVE_NAMES = {p.value.removeprefix("System."): p for p in Primitive if "[" not in p.value}
_WELL_KNOWN = _COLLECTIONS | _DICTIONARIES | {"Nullable"} | _PRIMITIVE_NAMES.keys()
_WELL_KNOWN_GENERIC_PREFIX = re.compile(
    "^(?:" + "|".join(sorted(_COLLECTIONS | _DICTIONARIES | {"Nullable"})) + ")Of[A-Z]"
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_.")
_COLLECTION_OF = "Collection of "
_DICTIONARY_OF = re.compile(r"^Dictionary of (?P<key>.+) \[key\] and (?P<value>.+) \[value\]$")


def parse_type_text(text: str) -> list[ClrType]:
    """Every reading of a Type cell or resource type: a type word, a collection, or a name.

    A type word or ``Collection of``/``Dictionary of`` phrase has one reading per reading
    of its parts; a model name has the readings of :func:`model_name_readings`.
    """
    text = text.strip()
    if text in TYPE_WORDS:
        return [PrimitiveType(TYPE_WORDS[text])]
    if text in _UNSUPPORTED_WORDS:
        raise TypeTextError(f"the type word {text!r} has no CLR type in this kit")
    if text.startswith(_COLLECTION_OF):
        return [ArrayType(item) for item in parse_type_text(text.removeprefix(_COLLECTION_OF))]
    dictionary = _DICTIONARY_OF.match(text)
    if dictionary is not None:
        return [
            DictionaryType(key, value)
            for key in parse_type_text(dictionary["key"])
            for value in parse_type_text(dictionary["value"])
        ]
    if text[:1].islower() or " " in text:
        raise TypeTextError(f"unknown type word {text!r}")
    return model_name_readings(text)


def model_name_readings(name: str) -> list[ClrType]:
    """Every way HelpPage's friendly model name ``name`` can be read, most generic first.

    ``XOfA`` is read as generic ``X<A>`` and as a class named ``XOfA``; ``And`` separates
    generic arguments; ``T[]`` is an array. A name beginning with a well-known generic
    (``ListOf``, ``NullableOf``, ``DictionaryOf``...) is always read as that generic, and
    no user class is assumed to live in a ``System`` namespace.
    """
    readings = list(dict.fromkeys(reading for reading, end in _names(name, 0) if end == len(name)))
    if not readings:
        raise TypeTextError(f"{name!r} is not a type name")
    # A namespace segment like "RestApiResultOfSystem" is legal but far less likely than
    # a generic argument list: such readings are kept only when there is no other.
    plausible = [reading for reading in readings if not _odd_namespace(reading)]
    return sorted(plausible or readings, key=lambda reading: -_generic_depth(reading))


_ODD_SEGMENT = re.compile(r"(?:Of|And)[A-Z]")


def _odd_namespace(clr_type: ClrType) -> bool:
    match clr_type:
        case ComplexRef(clr_namespace=namespace, generic_args=args):
            return bool(_ODD_SEGMENT.search(namespace)) or any(map(_odd_namespace, args))
        case ArrayType(item=item) | NullableType(inner=item):
            return _odd_namespace(item)
        case DictionaryType(key=key, value=value):
            return _odd_namespace(key) or _odd_namespace(value)
        case PrimitiveType():
            return False


@functools.cache
def _names(text: str, start: int) -> tuple[tuple[ClrType, int], ...]:
    found: list[tuple[ClrType, int]] = []
    run_end = start
    while run_end < len(text) and text[run_end] in _NAME_CHARS:
        run_end += 1
    for stop in range(start + 1, run_end + 1):
        head = text[start:stop]
        if not _is_dotted_name(head):
            continue
        if _starts_name(text, stop, "Of"):
            for arguments, after in _arguments(text, stop + 2):
                found.extend(_with_suffixes(text, _build(head, arguments), after))
        if stop == len(text) or text[stop] == "[" or _starts_name(text, stop, "And"):
            found.extend(_with_suffixes(text, _build(head, ()), stop))
    return tuple(found)


def _arguments(text: str, start: int) -> Iterator[tuple[tuple[ClrType, ...], int]]:
    for first, after in _names(text, start):
        yield (first,), after
        if _starts_name(text, after, "And"):
            for rest, end in _arguments(text, after + 3):
                yield (first, *rest), end


def _starts_name(text: str, position: int, word: str) -> bool:
    """``word`` at ``position``, followed by the capital that starts the next type name."""
    after = position + len(word)
    return text.startswith(word, position) and after < len(text) and text[after].isupper()


def _is_dotted_name(text: str) -> bool:
    return all(_IDENTIFIER.fullmatch(part) for part in text.split("."))


def _with_suffixes(text: str, readings: list[ClrType], end: int) -> Iterator[tuple[ClrType, int]]:
    for reading in readings:
        current, position = reading, end
        yield current, position
        while text.startswith("[]", position):
            current = ArrayType(current, ARRAY_CLR_NAME)
            position += 2
            yield current, position


def _build(head: str, arguments: tuple[ClrType, ...]) -> list[ClrType]:
    namespace, _, name = head.rpartition(".")
    well_known = _well_known(namespace, name, arguments)
    if well_known is not None:
        return [well_known]
    if name in _WELL_KNOWN or _WELL_KNOWN_GENERIC_PREFIX.match(name):
        return []
    if namespace == "System" or namespace.startswith("System."):
        return []
    return [ComplexRef(namespace, name, arguments)]


def _well_known(namespace: str, name: str, arguments: tuple[ClrType, ...]) -> ClrType | None:
    in_collections_namespace = namespace in _COLLECTION_NAMESPACES or not namespace
    if name in _COLLECTIONS and len(arguments) == 1 and in_collections_namespace:
        declared = namespace or _GENERIC_NS
        return ArrayType(arguments[0], f"{declared}.{name}`1")
    if name in _DICTIONARIES and len(arguments) == 2 and namespace in ("", _GENERIC_NS):
        return DictionaryType(arguments[0], arguments[1])
    if namespace not in ("", "System"):
        return None
    if name == "Nullable" and len(arguments) == 1:
        return NullableType(arguments[0])
    if name in _PRIMITIVE_NAMES and not arguments:
        return PrimitiveType(_PRIMITIVE_NAMES[name])
    return None


def _generic_depth(clr_type: ClrType) -> int:
    match clr_type:
        case ComplexRef(generic_args=args):
            return 1 + sum(_generic_depth(a) for a in args) if args else 0
        case ArrayType(item=item) | NullableType(inner=item):
            return 1 + _generic_depth(item)
        case DictionaryType(key=key, value=value):
            return 1 + _generic_depth(key) + _generic_depth(value)
        case PrimitiveType():
            return 0


def same_shape(left: ClrType, right: ClrType) -> bool:
    """The same type, where an unqualified complex type matches any namespace and a
    collection matches any other collection of the same items."""
    match left, right:
        case ArrayType(item=a), ArrayType(item=b):
            return same_shape(a, b)
        case NullableType(inner=a), NullableType(inner=b):
            return same_shape(a, b)
        case DictionaryType(), DictionaryType():
            return same_shape(left.key, right.key) and same_shape(left.value, right.value)
        case ComplexRef(), ComplexRef():
            return (
                left.name == right.name
                and (not left.clr_namespace or not right.clr_namespace or left == right)
                and len(left.generic_args) == len(right.generic_args)
                and all(map(same_shape, left.generic_args, right.generic_args))
            )
    return left == right


def friendly_name(clr_type: ClrType) -> str:
    """HelpPage's unqualified friendly model name: ``RestApiResultOfListOfInvoiceSendingStatusVo``.

    Generic arguments follow ``Of`` and are joined by ``And``; an array ``T[]`` is written
    ``ArrayOfT`` so that the result is always an identifier.
    """
    match clr_type:
        case PrimitiveType(primitive=primitive):
            return primitive.value.removeprefix("System.").replace("[]", "Array")
        case NullableType(inner=inner):
            return f"NullableOf{friendly_name(inner)}"
        case ArrayType(item=item, clr_name=clr_name):
            generic = clr_name.rpartition(".")[2].split("`")[0]
            return f"{'Array' if clr_name == ARRAY_CLR_NAME else generic}Of{friendly_name(item)}"
        case DictionaryType(key=key, value=value):
            return f"DictionaryOf{friendly_name(key)}And{friendly_name(value)}"
        case ComplexRef(name=name, generic_args=args):
            if not args:
                return name
            return f"{name}Of{'And'.join(friendly_name(a) for a in args)}"


_RANGE = re.compile(r"^Range: inclusive between (?P<low>\S+) and (?P<high>\S+)$")
_STRING_LENGTH = re.compile(r"^String length: inclusive between (?P<low>\d+) and (?P<high>\d+)$")
_LENGTH = re.compile(r"^(?P<which>Max|Min) length: (?P<value>\d+)$")
_PATTERN = "Matching regular expression pattern: "
# Annotations that state nothing a schema checks: a data type hint, a parameter's default.
_IGNORED = ("Data type: ", "Default value is ")


def parse_annotations(annotations: Iterable[str], *, where: str) -> Constraints:
    """The Constraints HelpPage's "Additional information" lines describe.

    ``Required``, ``Range: inclusive between a and b``, ``Max length: n``, ``Min length: n``,
    ``String length: inclusive between a and b``, ``Matching regular expression pattern: p``;
    ``Data type: ...`` adds nothing checkable and is ignored; so is a URI parameter's
    ``Default value is X`` (HelpPage writes it for a parameter with a default value, which
    is optional: it lacks ``Required``, and only ``Required`` makes a value required);
    anything else is an error.
    """
    values: dict[str, Any] = {}
    for text in annotations:
        if text == "Required":
            values["required"] = True
        elif match := _RANGE.match(text):
            values["minimum"], values["maximum"] = _number(match["low"]), _number(match["high"])
        elif match := _STRING_LENGTH.match(text):
            values["min_length"], values["max_length"] = int(match["low"]), int(match["high"])
        elif match := _LENGTH.match(text):
            values[f"{match['which'].lower()}_length"] = int(match["value"])
        elif text.startswith(_PATTERN):
            values["pattern"] = text.removeprefix(_PATTERN)
        elif not text.startswith(_IGNORED):
            raise TypeTextError(f"{where}: unknown annotation {text!r}")
    return Constraints(**values)


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            raise TypeTextError(f"{text!r} in a Range annotation is not a number") from None
