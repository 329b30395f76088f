"""One resource of a help page (the response or the body): its type and the types it uses.

The walk applies rules 1 to 3 and 5 of :mod:`contract.compiler.resolve`; the namespaces of types
the page names without one are filled in afterwards, page-wide, by a :class:`Qualifier`.
Every error is a :class:`~contract.compiler.located.ContractError` at the row, table or sample
concerned.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from lxml import etree

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
    display_name,
)
from contract.compiler.helppage.model import ModelRow, ModelTable, ResourceDescription, Sample
from contract.compiler.located import Locator, Where
from contract.compiler.readings import choose_reading, long_name
from contract.compiler.samples import (
    SampleError,
    SampleInstance,
    clr_namespace_of,
    parse_json_sample,
    parse_xml_sample,
    reconcile_scalar,
)
from contract.compiler.typetext import parse_annotations, parse_type_text, same_shape
from contract.datacontract import QName, root_element_name
from contract.endpoint import JSON_MEDIA_TYPES, XML_MEDIA_TYPES

__all__ = [
    "BODY_SECTIONS",
    "RESPONSE_SECTIONS",
    "Qualifier",
    "ResourceResolver",
    "Sections",
    "refs_in",
]


class Qualifier(Protocol):
    """Fills in the CLR namespaces of the complex types in a type."""

    def qualify(self, clr_type: ClrType) -> ClrType:
        """``clr_type`` with every complex type's namespace filled in."""

    def qualify_ref(self, ref: ComplexRef) -> ComplexRef:
        """``ref`` in its CLR namespace."""


@dataclass(frozen=True)
class Sections:
    """The headings of a resource's two sections: its description and its samples."""

    description: str
    formats: str


RESPONSE_SECTIONS = Sections("Resource Description", "Response Formats")
BODY_SECTIONS = Sections("Body Parameters", "Request Formats")


class ResourceResolver:
    """Resolves one resource's type and every complex type reachable from it."""

    def __init__(self, samples: tuple[Sample, ...], locator: Locator, sections: Sections) -> None:
        self._samples = samples
        self._locator = locator
        self._sections = sections
        self._json = _sample_of(samples, JSON_MEDIA_TYPES)
        self._xml_sample = _sample_of(samples, XML_MEDIA_TYPES)
        self._xml: etree._Element | None = None
        self._tables: list[tuple[ClrType, ModelTable, tuple[Member, ...]]] = []
        self._types: dict[ComplexRef, ComplexType] = {}
        self._line = 0
        self.namespaces: dict[str, str] = {}
        self.origins: dict[str, Where] = {}
        self.unqualified_root: ClrType | None = None
        self.root: ClrType | None = None
        self.date_pairs: list[tuple[str, str | None, str]] = []
        self.has_datetime = False

    def read(self, resource: ResourceDescription | None) -> None:
        """Read the resource's type, its tables, and the types the samples show.

        Table rows are read before the tables' own names, so a row's ambiguous model name
        is chosen without knowing which tables exist (rule 3's fallback applies).
        """
        if resource is None:
            return
        self._line = resource.line
        self._tables = [self._table(table) for table in resource.tables]
        text = resource.type_text
        own = next((m for t, table, m in self._tables if table.type_name == text), None)
        with self._locator.at(self._where(resource.line)):
            root = choose_reading(text, parse_type_text(text), members=own, known=self._known())
        self._introduce(root, resource.line)
        self._visit(root, self._sample_instance(), display_name(root))
        self.unqualified_root = root

    def _sample_instance(self) -> SampleInstance:
        """The resource's value as the samples show it (parsing the XML one for the walk)."""
        instance = SampleInstance()
        if self._json is not None:
            with self._locator.at(self.json_where()):
                instance = SampleInstance(parse_json_sample(self._json.text or ""), True)
        if self._xml_sample is not None:
            with self._locator.at(self._xml_where()):
                self._xml = parse_xml_sample(self._xml_sample.text or "")
            instance = SampleInstance(instance.json_value, instance.has_json, self._xml)
        return instance

    def finish(self, qualifier: Qualifier) -> None:
        """Qualify the resource type and check it against the XML sample (rule 5)."""
        if self.unqualified_root is None:
            return
        self.root = qualifier.qualify(self.unqualified_root)
        with self._locator.at(self._xml_where()):
            self._check_root()

    def complex_types(self, qualifier: Qualifier) -> list[ComplexType]:
        """Every complex type found, with namespaces filled in."""
        return [
            ComplexType(
                qualifier.qualify_ref(t.ref),
                tuple(
                    Member(m.name, qualifier.qualify(m.type), m.description, m.constraints)
                    for m in t.members
                ),
                t.description,
                t.is_value_type,
            )
            for t in self._types.values()
        ]

    def refs(self) -> list[ComplexRef]:
        """Every complex type reference the resource uses, as the page writes it."""
        found = [] if self.unqualified_root is None else list(refs_in(self.unqualified_root))
        for complex_type in self._types.values():
            found.append(complex_type.ref)
            for member in complex_type.members:
                found.extend(refs_in(member.type))
        return found

    # -- where things are on the page ----------------------------------------------------------

    def _where(self, line: int) -> Where:
        """The section holding ``line``: model tables may follow the samples."""
        after_samples = bool(self._samples) and line > self._samples[0].line
        return (self._sections.formats if after_samples else self._sections.description, line)

    def json_where(self) -> Where:
        """The JSON sample's place, or the resource's when there is none."""
        if self._json is None:
            return self._where(self._line)
        return (self._sections.formats, self._json.line)

    def _xml_where(self) -> Where:
        if self._xml_sample is None:
            return self._where(self._line)
        return (self._sections.formats, self._xml_sample.line)

    def _introduce(self, clr_type: ClrType, line: int) -> None:
        """Remember where the page first names each complex type (its lowest line)."""
        for ref in refs_in(clr_type):
            known = self.origins.get(ref.name)
            if known is None or line < known[1]:
                self.origins[ref.name] = self._where(line)

    def _known(self) -> tuple[ClrType, ...]:
        return tuple(clr_type for clr_type, _, _ in self._tables)

    def _table(self, table: ModelTable) -> tuple[ClrType, ModelTable, tuple[Member, ...]]:
        members = tuple(self._row_member(row) for row in table.rows)
        with self._locator.at(self._where(table.line)):
            readings = parse_type_text(table.type_name)
            clr_type = choose_reading(table.type_name, readings, members=members)
        self._introduce(clr_type, table.line)
        return clr_type, table, members

    def _row_member(self, row: ModelRow) -> Member:
        with self._locator.at(self._where(row.line)):
            clr_type = choose_reading(row.type_text, parse_type_text(row.type_text), members=None)
            constraints = parse_annotations(row.annotations, where=f"member {row.name!r}")
        self._introduce(clr_type, row.line)
        return Member(row.name, clr_type, row.description, constraints)

    # -- the walk: tables first, samples where there is no table ----------------------------

    def _visit(self, clr_type: ClrType, instance: SampleInstance, where: str) -> None:
        match clr_type:
            case PrimitiveType(primitive=Primitive.DATETIME):
                self._date(instance, where)
            case NullableType(inner=inner):
                self._visit(inner, instance, where)
            case ArrayType(item=item):
                self._visit(item, instance.first_item(), where)
            case DictionaryType(key=key, value=value):
                self._visit(key, SampleInstance(), where)
                self._visit(value, SampleInstance(), where)
            case ComplexRef():
                self._complex(clr_type, instance)

    def _date(self, instance: SampleInstance, where: str) -> None:
        self.has_datetime = True
        if instance.has_json and isinstance(instance.json_value, str):
            self.date_pairs.append((instance.json_value, instance.xml_text(), where))

    def _complex(self, ref: ComplexRef, instance: SampleInstance) -> None:
        with self._locator.at(self._xml_where()):
            self._learn_namespace(ref, instance)
        if ref in self._types:
            return
        table = next((t for t in self._tables if same_shape(t[0], ref)), None)
        if table is None:
            members = self._infer_members(ref, instance)
        else:
            members = table[2]
            with self._locator.at(self.json_where()):
                _check_json_members(ref, members, instance)
        self._types[ref] = ComplexType(ref, members)
        for member in members:
            where = f"{display_name(ref)}.{member.name}"
            self._visit(member.type, instance.member(member.name), where)

    def _learn_namespace(self, ref: ComplexRef, instance: SampleInstance) -> None:
        """Rule 4: the XML sample writes a type's members in its data-contract namespace."""
        children = (
            [] if instance.xml is None else [c for c in instance.xml if isinstance(c.tag, str)]
        )
        if not children:
            return
        namespace = clr_namespace_of(etree.QName(children[0]).namespace or "")
        if ref.clr_namespace and ref.clr_namespace != namespace:
            raise SampleError(
                f"the XML sample writes the members of {ref.full_name} in the namespace of "
                f"CLR namespace {namespace!r}"
            )
        known = self.namespaces.setdefault(ref.name, namespace)
        if not ref.clr_namespace and known != namespace:
            raise SampleError(f"{ref.name} appears in two CLR namespaces, {known} and {namespace}")

    def _infer_members(self, ref: ComplexRef, instance: SampleInstance) -> tuple[Member, ...]:
        """Rule 2: members from the samples, for a type the page has no table for."""
        if not isinstance(instance.json_value, dict):
            origin = self.origins.get(ref.name, self._where(self._line))
            with self._locator.at(origin):
                raise SampleError(
                    f"the page has no model table for {ref.full_name} and no JSON sample shows "
                    "one: its members cannot be known"
                )
        with self._locator.at(self.json_where()):
            return tuple(
                Member(name, self._infer_type(value, instance.member(name), f"{ref.name}.{name}"))
                for name, value in instance.json_value.items()
            )

    def _infer_type(self, value: Any, instance: SampleInstance, where: str) -> ClrType:
        if value is None or value == [] or isinstance(value, dict):
            raise SampleError(
                f"{where}: the JSON sample shows {_json_kind(value)}, which does not tell the "
                "member's type, and the page has no model table for it"
            )
        if isinstance(value, list):
            return ArrayType(self._infer_item(value[0], instance.first_item(), where))
        text = None
        if self._xml is not None:
            text = instance.xml_text()
            if text is None:
                raise SampleError(
                    f"{where}: the member is in the JSON sample but not in the XML one"
                )
        return PrimitiveType(
            reconcile_scalar(value, text, where=where, samples=self._sample_names())
        )

    def _sample_names(self) -> tuple[str, str]:
        """The JSON and XML samples as an error names them: with their lines on the page."""
        json_line = self._json.line if self._json is not None else 0
        xml_line = self._xml_sample.line if self._xml_sample is not None else 0
        return f"the JSON sample (line {json_line})", f"the XML sample (line {xml_line})"

    def _infer_item(self, value: Any, item: SampleInstance, where: str) -> ClrType:
        if not isinstance(value, dict):
            return self._infer_type(value, item, where)
        if item.xml is None:
            raise SampleError(
                f"{where}: the items' type has no model table and no XML sample names it"
            )
        name = etree.QName(item.xml)
        if name.localname.startswith("ArrayOf") or not name.localname.isidentifier():
            raise SampleError(f"{where}: cannot tell the CLR type of XML items {name.localname!r}")
        return ComplexRef(clr_namespace_of(name.namespace or ""), name.localname)

    # -- the root check ---------------------------------------------------------------------

    def _check_root(self) -> None:
        """Rule 5: the root element the resource type is written as is the XML sample's root."""
        if self._xml is None or self.root is None:
            return
        expected = root_element_name(self.root)
        tag = etree.QName(self._xml)
        found = QName(tag.localname, tag.namespace or "")
        if found != expected:
            raise SampleError(
                f"the XML sample's root element is {found.clark()} but the data contract name "
                f"of {long_name(self.root)} is {expected.clark()}"
            )


def refs_in(clr_type: ClrType) -> Iterator[ComplexRef]:
    """The complex type references in ``clr_type``, generic arguments included."""
    match clr_type:
        case ComplexRef(generic_args=args):
            yield clr_type
            for argument in args:
                yield from refs_in(argument)
        case NullableType(inner=inner):
            yield from refs_in(inner)
        case ArrayType(item=item):
            yield from refs_in(item)
        case DictionaryType(key=key, value=value):
            yield from refs_in(key)
            yield from refs_in(value)


def _sample_of(samples: tuple[Sample, ...], media_types: tuple[str, ...]) -> Sample | None:
    return next(
        (s for s in samples if s.text is not None and set(s.media_types) & set(media_types)),
        None,
    )


def _check_json_members(
    ref: ComplexRef, members: tuple[Member, ...], instance: SampleInstance
) -> None:
    if not isinstance(instance.json_value, dict):
        return
    in_sample, in_table = list(instance.json_value), [m.name for m in members]
    if in_sample != in_table:
        raise SampleError(
            f"the JSON sample shows {ref.name} with members {in_sample} but its model table "
            f"lists {in_table}"
        )


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    return "an empty array" if value == [] else "an object"
