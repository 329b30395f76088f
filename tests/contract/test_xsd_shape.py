"""A structural comparison of XML schemas, and tests that it sees what it must see.

Two schemas have the same shape when, per target namespace, they import the same
namespaces and declare the same top-level items in the same order; the same complex types
with the same annotations and the same ordered particles (name, type as a namespace URI
and local name, minOccurs, maxOccurs, nillable, anonymous content); the same simple
types, top-level elements and attributes. Prefixes, attribute order, whitespace and
``schemaLocation`` are not part of the shape.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from contract.datacontract import SCHEMA_NS

XS = f"{{{SCHEMA_NS}}}"
GOLDEN_XSD = Path(__file__).parents[1] / "golden" / "xsd"

Shape = dict[str, Any]


def _resolve(element: etree._Element, attribute: str) -> str | None:
    """A QName-valued attribute as ``{namespace}local``."""
    value = element.get(attribute)
    if value is None:
        return None
    prefix, _, local = value.rpartition(":")
    namespace = element.nsmap.get(prefix or None)
    assert namespace is not None, f"prefix {prefix!r} of {value!r} is not declared"
    return f"{{{namespace}}}{local}"


def _markup(element: etree._Element) -> tuple[Any, ...]:
    children = tuple(_markup(child) for child in element if isinstance(child.tag, str))
    text = (element.text or "").strip()
    return (element.tag, tuple(sorted(element.attrib.items())), text, children)


def _annotations(element: etree._Element) -> tuple[Any, ...]:
    return tuple(_markup(markup) for markup in element.iterfind(f"{XS}annotation/{XS}appinfo/*"))


def _particles(complex_type: etree._Element) -> tuple[Any, ...]:
    return tuple(
        (
            particle.get("name"),
            _resolve(particle, "type"),
            particle.get("minOccurs", "1"),
            particle.get("maxOccurs", "1"),
            particle.get("nillable", "false"),
            tuple(_particles(inline) for inline in particle.iterfind(f"{XS}complexType")),
        )
        for particle in complex_type.iterfind(f"{XS}sequence/{XS}element")
    )


def _simple_type(simple_type: etree._Element) -> tuple[Any, ...]:
    restriction = simple_type.find(f"{XS}restriction")
    assert restriction is not None, f"simple type {simple_type.get('name')} has no restriction"
    facets = tuple((etree.QName(facet).localname, facet.get("value")) for facet in restriction)
    return (_resolve(restriction, "base"), facets)


def schema_shape(schema: etree._Element) -> Shape:
    """The shape of one ``xs:schema`` element (see the module docstring)."""
    items = [child for child in schema if isinstance(child.tag, str)]
    named = [child for child in items if child.tag != f"{XS}import"]
    return {
        "imports": sorted(child.get("namespace", "") for child in schema.iterfind(f"{XS}import")),
        "item order": [(etree.QName(child).localname, child.get("name")) for child in named],
        "complex types": {
            child.get("name"): {"annotations": _annotations(child), "particles": _particles(child)}
            for child in schema.iterfind(f"{XS}complexType")
        },
        "simple types": {
            child.get("name"): _simple_type(child) for child in schema.iterfind(f"{XS}simpleType")
        },
        "elements": {
            child.get("name"): (_resolve(child, "type"), child.get("nillable", "false"))
            for child in schema.iterfind(f"{XS}element")
        },
        "attributes": {
            child.get("name"): _resolve(child, "type")
            for child in schema.iterfind(f"{XS}attribute")
        },
    }


def shapes_by_namespace(schemas: list[etree._Element]) -> dict[str, Shape]:
    """Each schema's shape keyed by its target namespace."""
    return {schema.get("targetNamespace", ""): schema_shape(schema) for schema in schemas}


def _differences(actual: Shape, expected: Shape, namespace: str) -> list[str]:
    found = []
    for aspect in expected.keys() | actual.keys():
        got, want = actual.get(aspect), expected.get(aspect)
        if isinstance(want, dict) and isinstance(got, dict):
            for name in sorted(want.keys() | got.keys(), key=str):
                if got.get(name) != want.get(name):
                    found.append(
                        f"{namespace}: {aspect} {name!r}:\n  received {got.get(name)!r}\n"
                        f"  expected {want.get(name)!r}"
                    )
        elif got != want:
            found.append(f"{namespace}: {aspect}:\n  received {got!r}\n  expected {want!r}")
    return found


def assert_same_schemas(actual: dict[str, Shape], expected: dict[str, Shape]) -> None:
    """Fail with every difference, named by namespace, aspect and item, when shapes differ."""
    problems = []
    if actual.keys() != expected.keys():
        problems.append(f"namespaces: received {sorted(actual)}, expected {sorted(expected)}")
    for namespace in sorted(actual.keys() & expected.keys()):
        problems += _differences(actual[namespace], expected[namespace], namespace)
    assert not problems, "schemas differ:\n" + "\n".join(problems)


def golden_trees() -> list[etree._Element]:
    """The golden exporter schemas, parsed."""
    return [etree.fromstring(path.read_bytes()) for path in sorted(GOLDEN_XSD.glob("*.xsd"))]


def _mutated(mutate: str) -> list[etree._Element]:
    trees = golden_trees()
    for tree in trees:
        for element in tree.iter(f"{XS}element", "{*}GenericParameter"):
            name = element.get("name") or element.get("Name")
            if mutate == "minOccurs" and name == "Reason":
                element.set("minOccurs", "1")
            elif mutate == "nillable" and name == "SendingAttempts":
                element.set("nillable", "true")
            elif mutate == "type" and name == "Rel":
                element.set("type", "xs:anyURI")
            elif mutate == "maxOccurs" and name == "RestApiLink" and element.get("maxOccurs"):
                element.set("maxOccurs", "1")
            elif (
                mutate == "generic"
                and element.get("Name") == name == "ArrayOfInvoiceSendingStatusVo"
            ):
                element.set("Namespace", "urn:elsewhere")
    return trees


@pytest.mark.parametrize("mutate", ["minOccurs", "nillable", "type", "maxOccurs", "generic"])
def test_assert_same_schemas_with_one_mutated_attribute_fails(mutate: str) -> None:
    expected = shapes_by_namespace(golden_trees())
    actual = shapes_by_namespace(_mutated(mutate))
    assert actual != expected, f"mutation {mutate!r} changed nothing in the golden trees"
    with pytest.raises(AssertionError, match="schemas differ"):
        assert_same_schemas(actual, expected)


def test_assert_same_schemas_with_reordered_members_fails() -> None:
    trees = golden_trees()
    sequence = max(trees[1].iter(f"{XS}sequence"), key=len)
    sequence.insert(0, sequence[-1])
    with pytest.raises(AssertionError, match="particles"):
        assert_same_schemas(shapes_by_namespace(trees), shapes_by_namespace(golden_trees()))


def test_assert_same_schemas_with_missing_top_level_element_fails() -> None:
    trees = golden_trees()
    element = trees[0].find(f"{XS}element")
    assert element is not None
    trees[0].remove(element)
    with pytest.raises(AssertionError, match="elements"):
        assert_same_schemas(shapes_by_namespace(trees), shapes_by_namespace(golden_trees()))


def test_assert_same_schemas_ignores_prefixes_and_whitespace() -> None:
    renamed = []
    for path in sorted(GOLDEN_XSD.glob("*.xsd")):
        text = path.read_bytes().replace(b"q1", b"zz9").replace(b"tns", b"target")
        parser = etree.XMLParser(remove_blank_text=True)
        renamed.append(etree.fromstring(text, parser))
    assert b"zz9:" in etree.tostring(renamed[0]), "the rewrite did not change any prefix"
    assert_same_schemas(shapes_by_namespace(renamed), shapes_by_namespace(golden_trees()))
