"""From what a help page says to an :class:`~contract.endpoint.EndpointContract`.

Rules, in order of trust:

1. A type with a model table has exactly the table's members, in table order (the order
   HelpPage reflects them, which is declaration order). Type cells are read by
   :mod:`contract.typetext`.
2. A type without a table (HelpPage documents it on another page) gets its members from
   the samples (:mod:`contract.samples`): the JSON sample gives names, declaration order
   and the value's type; the XML sample confirms each value's lexical form and gives the
   type's data-contract namespace; the XML item element of a collection names the items'
   type.
3. A generic model name (``NameOfArg``) is read as generic only when each argument is
   the type of a member of its table; with no such evidence the plain class name is
   used; two readings with equal evidence are an error.
4. Unqualified type names get their CLR namespace from the XML sample.
5. The response type's computed data-contract name must be the XML sample's root.

Nullability follows the CLR: reference types are nullable, value types are not, and a
type known only from samples is a class. The page cannot tell ``int`` from ``int?``
(HelpPage prints both as ``integer``), nor ``int`` from ``long``: Int32 is chosen.
"""

from __future__ import annotations

from typing import Any

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
    TypeCatalog,
    display_name,
)
from contract.datacontract import QName, contract_name
from contract.endpoint import (
    JSON_MEDIA_TYPES,
    XML_MEDIA_TYPES,
    EndpointContract,
    JsonDateFormat,
    Parameter,
    ParameterSource,
)
from contract.helppage.model import HelpPage, ModelRow, ModelTable, ResourceDescription, Sample
from contract.readings import choose_reading, long_name
from contract.samples import (
    SampleError,
    SampleInstance,
    clr_namespace_of,
    confirm_xml_scalar,
    decide_json_date_format,
    infer_scalar,
    parse_json_sample,
    parse_xml_sample,
)
from contract.typetext import TypeTextError, parse_annotations, parse_type_text, same_shape

__all__ = ["ContractError", "resolve_contract"]


class ContractError(ValueError):
    """A help page whose parts contradict each other or name what the kit cannot represent."""

    def __init__(self, message: str, *, source: str) -> None:
        self.source = source
        self.reason = message
        super().__init__(f"{source}: {message}")


def resolve_contract(page: HelpPage) -> EndpointContract:
    """The endpoint contract the help page ``page`` describes (rules in the module doc)."""
    try:
        return _resolve(page)
    except (SampleError, TypeTextError) as error:
        raise ContractError(str(error), source=page.source) from None


def _resolve(page: HelpPage) -> EndpointContract:
    catalog = TypeCatalog()
    response = _resolve_resource(page.response, page.response_formats, catalog)
    body = _resolve_resource(page.body, page.request_formats, catalog)
    parameters = tuple(_uri_parameter(row) for row in page.uri_parameters)
    if page.body is not None and body.root is not None:
        body_parameter = Parameter("body", ParameterSource.BODY, body.root, page.body.documentation)
        parameters += (body_parameter,)
    return EndpointContract(
        method=page.method,
        route=page.route,
        documentation=page.documentation,
        response_type=response.root,
        response_description=page.response.documentation if page.response else "",
        catalog=catalog,
        parameters=parameters,
        request_media_types=_media_types(page.request_formats),
        response_media_types=_media_types(page.response_formats)
        or JSON_MEDIA_TYPES + XML_MEDIA_TYPES,
        samples=_sample_pairs(page.response_formats),
        request_samples=_sample_pairs(page.request_formats),
        json_date_format=_date_format(response, body),
    )


def _media_types(samples: tuple[Sample, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(media for sample in samples for media in sample.media_types))


def _sample_pairs(samples: tuple[Sample, ...]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (media, sample.text)
        for sample in samples
        if sample.text is not None
        for media in sample.media_types
    )


def _date_format(*resources: _ResourceResolver) -> JsonDateFormat:
    pairs = [pair for resource in resources for pair in resource.date_pairs]
    has_datetime = any(resource.has_datetime for resource in resources)
    return decide_json_date_format(pairs, has_datetime=has_datetime)


def _uri_parameter(row: ModelRow) -> Parameter:
    clr_type = choose_reading(row.type_text, parse_type_text(row.type_text), members=None)
    if not isinstance(clr_type, PrimitiveType | NullableType):
        raise TypeTextError(f"URI parameter {row.name!r}: complex types are not supported")
    constraints = parse_annotations(row.annotations, where=f"URI parameter {row.name!r}")
    return Parameter(row.name, ParameterSource.URI, clr_type, row.description, constraints)


def _resolve_resource(
    resource: ResourceDescription | None, samples: tuple[Sample, ...], catalog: TypeCatalog
) -> _ResourceResolver:
    resolver = _ResourceResolver(samples)
    if resource is not None:
        resolver.resolve(resource)
        for complex_type in resolver.complex_types():
            catalog.add(complex_type)
    return resolver


# -- one resource (the response or the body) ------------------------------------------------


class _ResourceResolver:
    """Resolves one resource's type and every complex type reachable from it."""

    def __init__(self, samples: tuple[Sample, ...]) -> None:
        self._json = _sample_text(samples, JSON_MEDIA_TYPES)
        self._xml_text = _sample_text(samples, XML_MEDIA_TYPES)
        self._xml: etree._Element | None = None
        self._tables: list[tuple[ClrType, ModelTable, tuple[Member, ...]]] = []
        self._types: dict[ComplexRef, ComplexType] = {}
        self._namespaces: dict[str, str] = {}
        self.root: ClrType | None = None
        self.date_pairs: list[tuple[str, str | None, str]] = []
        self.has_datetime = False

    def resolve(self, resource: ResourceDescription) -> None:
        """Resolve the resource's type, its tables, and the types the samples show.

        Table rows are read before the tables' own names, so a row's ambiguous model name
        is chosen without knowing which tables exist (rule 3's fallback applies).
        """
        self._tables = [self._table(table) for table in resource.tables]
        text = resource.type_text
        own = next((m for t, table, m in self._tables if table.type_name == text), None)
        root = choose_reading(text, parse_type_text(text), members=own, known=self._known())
        instance = SampleInstance()
        if self._json is not None:
            instance = SampleInstance(parse_json_sample(self._json), True)
        if self._xml_text is not None:
            self._xml = parse_xml_sample(self._xml_text)
            instance = SampleInstance(instance.json_value, instance.has_json, self._xml)
        self._visit(root, instance, display_name(root))
        self.root = self._qualify(root)
        self._check_root()

    def complex_types(self) -> list[ComplexType]:
        """Every complex type found, with namespaces filled in."""
        return [
            ComplexType(
                self._qualify_ref(t.ref),
                tuple(
                    Member(m.name, self._qualify(m.type), m.description, m.constraints)
                    for m in t.members
                ),
                t.description,
                t.is_value_type,
            )
            for t in self._types.values()
        ]

    def _known(self) -> tuple[ClrType, ...]:
        return tuple(clr_type for clr_type, _, _ in self._tables)

    def _table(self, table: ModelTable) -> tuple[ClrType, ModelTable, tuple[Member, ...]]:
        members = tuple(self._row_member(row) for row in table.rows)
        readings = parse_type_text(table.type_name)
        return choose_reading(table.type_name, readings, members=members), table, members

    def _row_member(self, row: ModelRow) -> Member:
        clr_type = choose_reading(row.type_text, parse_type_text(row.type_text), members=None)
        constraints = parse_annotations(row.annotations, where=f"member {row.name!r}")
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
        self._learn_namespace(ref, instance)
        if ref in self._types:
            return
        table = next((t for t in self._tables if same_shape(t[0], ref)), None)
        if table is None:
            members = self._infer_members(ref, instance)
        else:
            members = table[2]
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
        known = self._namespaces.setdefault(ref.name, namespace)
        if not ref.clr_namespace and known != namespace:
            raise SampleError(f"{ref.name} appears in two CLR namespaces, {known} and {namespace}")

    def _infer_members(self, ref: ComplexRef, instance: SampleInstance) -> tuple[Member, ...]:
        """Rule 2: members from the samples, for a type the page has no table for."""
        if not isinstance(instance.json_value, dict):
            raise SampleError(
                f"the page has no model table for {ref.full_name} and no JSON sample shows "
                "one: its members cannot be known"
            )
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
        primitive = infer_scalar(value)
        if self._xml is not None:
            text = instance.xml_text()
            if text is None:
                raise SampleError(
                    f"{where}: the member is in the JSON sample but not in the XML one"
                )
            confirm_xml_scalar(primitive, text, where=where)
        return PrimitiveType(primitive)

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

    # -- namespaces and the root check ------------------------------------------------------

    def _qualify(self, clr_type: ClrType) -> ClrType:
        match clr_type:
            case ComplexRef():
                return self._qualify_ref(clr_type)
            case ArrayType(item=item, clr_name=clr_name):
                return ArrayType(self._qualify(item), clr_name)
            case NullableType(inner=inner):
                return NullableType(self._qualify(inner))
            case DictionaryType(key=key, value=value):
                return DictionaryType(self._qualify(key), self._qualify(value))
        return clr_type

    def _qualify_ref(self, ref: ComplexRef) -> ComplexRef:
        namespace = ref.clr_namespace or self._namespaces.get(ref.name)
        if namespace is None:
            raise SampleError(
                f"cannot tell the CLR namespace of {ref.name}: the page names it without one "
                "and no XML sample shows its members"
            )
        return ComplexRef(namespace, ref.name, tuple(self._qualify(a) for a in ref.generic_args))

    def _check_root(self) -> None:
        """Rule 5: the computed data-contract name of the resource type is the XML root."""
        if self._xml is None or self.root is None:
            return
        expected = contract_name(self.root)
        tag = etree.QName(self._xml)
        found = QName(tag.localname, tag.namespace or "")
        if found != expected:
            raise SampleError(
                f"the XML sample's root element is {found.clark()} but the data contract name "
                f"of {long_name(self.root)} is {expected.clark()}"
            )


def _sample_text(samples: tuple[Sample, ...], media_types: tuple[str, ...]) -> str | None:
    return next(
        (s.text for s in samples if s.text is not None and set(s.media_types) & set(media_types)),
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
