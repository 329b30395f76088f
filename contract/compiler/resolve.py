"""From what a help page says to an :class:`~contract.endpoint.EndpointContract`.

Rules, in order of trust:

1. A type with a model table has exactly the table's members, in table order (the order
   HelpPage reflects them, which is declaration order). Type cells are read by
   :mod:`contract.compiler.typetext`.
2. A type without a table (HelpPage documents it on another page) gets its members from
   the samples (:mod:`contract.compiler.samples`): the JSON sample gives names, declaration order
   and the value's type; the XML sample must show the same value in that type's XML form
   (HelpPage writes one sample object with every formatter; a one-letter JSON string is
   a Char when the XML shows its UTF-16 code), samples that disagree are an error naming
   the member and both samples' lines; the XML sample gives the type's data-contract
   namespace; the XML item element of a collection names the items' type.
3. A generic model name (``NameOfArg``) is read as generic only when each argument is
   the type of a member of its table; with no such evidence the plain class name is
   used; two readings with equal evidence are an error.
4. Unqualified type names get their CLR namespace from an XML sample of the page (one
   name is one type: HelpPage links types by name). A type no sample places gets, in
   order: the namespace the caller gives (``clr_namespace``, the CLI's
   ``--clr-namespace``); the one CLR namespace all the page's other complex types live
   in; the response type's namespace. Failing all three it is an error at the row or
   table that names the type.
5. The element the resource type is written as (its data-contract name; a primitive's
   in the Serialization namespace, :func:`~contract.datacontract.root_element_name`)
   must be the XML sample's root.

Errors are :class:`ContractError` (:mod:`contract.compiler.located`) naming the section and line
of the row, table or sample concerned. One resource is resolved by
:class:`contract.compiler.resource.ResourceResolver`.

6. The route is the title's route template without its query string
   (:mod:`contract.compiler.helppage.route`): a URI parameter the template names is a path
   parameter, any other one (those the query string lists) is a query parameter, as Web
   API binds them. Each keeps its row's type and annotations; only ``Required`` makes a
   query parameter required (HelpPage writes it for every parameter without a default
   value, nullable ones included, and Web API's action selector demands those).

Nullability follows the CLR: reference types are nullable, value types are not, and a
type known only from samples is a class. The page cannot tell ``int`` from ``int?``
(HelpPage prints both as ``integer``), nor ``int`` from ``long``: Int32 is chosen.
"""

from __future__ import annotations

from contract.clr import (
    ArrayType,
    ClrType,
    ComplexRef,
    DictionaryType,
    NullableType,
    PrimitiveType,
    TypeCatalog,
)
from contract.compiler.helppage.model import HelpPage, ModelRow, Sample
from contract.compiler.helppage.route import RouteError, parse_route
from contract.compiler.located import ContractError, Locator, Where
from contract.compiler.readings import choose_reading
from contract.compiler.resource import BODY_SECTIONS, RESPONSE_SECTIONS, ResourceResolver
from contract.compiler.samples import SampleError, decide_json_date_format
from contract.compiler.typetext import TypeTextError, parse_annotations, parse_type_text
from contract.endpoint import (
    JSON_MEDIA_TYPES,
    XML_MEDIA_TYPES,
    EndpointContract,
    JsonDateFormat,
    Parameter,
    ParameterSource,
)

__all__ = ["ContractError", "resolve_contract"]


def resolve_contract(page: HelpPage, *, clr_namespace: str | None = None) -> EndpointContract:
    """The endpoint contract the help page ``page`` describes (rules in the module doc).

    ``clr_namespace`` is the CLR namespace to assume for complex types the page names
    without one and no XML sample places (rule 4's first fallback). Errors are
    :class:`ContractError`, with the section and line concerned where they are known.
    """
    try:
        return _resolve(page, clr_namespace)
    except (SampleError, TypeTextError, RouteError) as error:
        raise ContractError(str(error), source=page.source) from None


def _resolve(page: HelpPage, clr_namespace: str | None) -> EndpointContract:
    locator = Locator(page.source)
    catalog = TypeCatalog()
    response = ResourceResolver(page.response_formats, locator, RESPONSE_SECTIONS)
    body = ResourceResolver(page.request_formats, locator, BODY_SECTIONS)
    response.read(page.response)
    body.read(page.body)
    qualifier = _Qualifier(locator, (response, body), clr_namespace)
    for resolver in (response, body):
        resolver.finish(qualifier)
        for complex_type in resolver.complex_types(qualifier):
            catalog.add(complex_type)
    parameters = tuple(_uri_parameter(row, locator) for row in page.uri_parameters)
    if page.body is not None and body.root is not None:
        body_parameter = Parameter("body", ParameterSource.BODY, body.root, page.body.documentation)
        parameters += (body_parameter,)
    return EndpointContract(
        method=page.method,
        # The contract's route is a URL path; the query string only listed query parameters.
        route=parse_route(page.route).template,
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
        json_date_format=_date_format(locator, response, body),
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


def _date_format(locator: Locator, *resources: ResourceResolver) -> JsonDateFormat:
    pairs = [pair for resource in resources for pair in resource.date_pairs]
    with_dates = [resource for resource in resources if resource.has_datetime]
    where = with_dates[0].json_where() if with_dates else ("Response Formats", 0)
    with locator.at(where):
        return decide_json_date_format(pairs, has_datetime=bool(with_dates))


def _uri_parameter(row: ModelRow, locator: Locator) -> Parameter:
    with locator.at(("URI Parameters", row.line)):
        clr_type = choose_reading(row.type_text, parse_type_text(row.type_text), members=None)
        if not isinstance(clr_type, PrimitiveType | NullableType):
            raise TypeTextError(f"URI parameter {row.name!r}: complex types are not supported")
        constraints = parse_annotations(row.annotations, where=f"URI parameter {row.name!r}")
    return Parameter(row.name, ParameterSource.URI, clr_type, row.description, constraints)


# -- namespaces: rule 4 and its fallbacks ----------------------------------------------------


class _Qualifier:
    """Gives every complex type its CLR namespace (rule 4, then the fallbacks).

    A type named without a namespace takes the one an XML sample shows it in (any sample
    of the page: HelpPage links types by name, so one name is one type). Failing that,
    the fallback, in order: the ``clr_namespace`` the caller gave; the one CLR namespace
    every other complex type of the page lives in; the response type's namespace. With
    none of them the type cannot be named, an error at the row that introduced it.
    """

    def __init__(
        self,
        locator: Locator,
        resolvers: tuple[ResourceResolver, ...],
        clr_namespace: str | None,
    ) -> None:
        self._locator = locator
        self._learned: dict[str, str] = {}
        self._origins: dict[str, Where] = {}
        for resolver in resolvers:
            for name, namespace in resolver.namespaces.items():
                self._learned.setdefault(name, namespace)
            for name, where in resolver.origins.items():
                self._origins.setdefault(name, where)
        self._fallback = clr_namespace or self._page_namespace(resolvers)

    def _page_namespace(self, resolvers: tuple[ResourceResolver, ...]) -> str | None:
        known = {ref.clr_namespace for r in resolvers for ref in r.refs() if ref.clr_namespace}
        known |= set(self._learned.values())
        if len(known) == 1:
            return known.pop()
        root = resolvers[0].unqualified_root
        if isinstance(root, ComplexRef):
            return root.clr_namespace or self._learned.get(root.name)
        return None

    def qualify(self, clr_type: ClrType) -> ClrType:
        """``clr_type`` with every complex type's namespace filled in."""
        match clr_type:
            case ComplexRef():
                return self.qualify_ref(clr_type)
            case ArrayType(item=item, clr_name=clr_name):
                return ArrayType(self.qualify(item), clr_name)
            case NullableType(inner=inner):
                return NullableType(self.qualify(inner))
            case DictionaryType(key=key, value=value):
                return DictionaryType(self.qualify(key), self.qualify(value))
        return clr_type

    def qualify_ref(self, ref: ComplexRef) -> ComplexRef:
        """``ref`` in its CLR namespace (ContractError at the type's origin when unknown)."""
        namespace = ref.clr_namespace or self._learned.get(ref.name) or self._fallback
        if namespace is None:
            with self._locator.at(self._origins.get(ref.name, ("Resource Description", 0))):
                raise SampleError(
                    f"cannot tell the CLR namespace of {ref.name}: the page names it without "
                    "one, no XML sample shows it, and no other type on the page has a "
                    "namespace to assume; name the type with its namespace "
                    f"(Namespace.{ref.name}), add an XML sample, or give the namespace "
                    "(python -m contract generate --clr-namespace NAMESPACE)"
                )
        args = tuple(self.qualify(a) for a in ref.generic_args)
        return ComplexRef(namespace, ref.name, args, ref.contract_namespace)
