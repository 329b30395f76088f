"""The contract diff against a corpus of help page pairs, each classified for both clients."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from contract.clr import ComplexType, Member, Primitive, PrimitiveType
from contract.compiler.diff import ChangeKind, Level, diff_contracts, load_side, rules
from contract.compiler.diff import compare as compare_module
from contract.compiler.diff.members import pair_members
from contract.endpoint import EndpointContract

PAGES = Path(__file__).parent / "diff_pages"
HELP_PAGES = Path(__file__).parent / "helppage" / "pages"

B, L, C = "breaking", "lossy", "compatible"
ROOT = "RestApiResult<List<InvoiceSendingStatusVo>>"
ITEM = "InvoiceSendingStatusVo"

# (old page, new page, [(kind, where, Json.NET class, DataContractSerializer class)])
CORPUS: list[tuple[str, str, list[tuple[str, str, str, str]]]] = [
    ("base.txt", "base.txt", []),
    ("member-removed.txt", "base.txt", [("member-added", f"{ITEM}.Reason", C, C)]),
    ("base.txt", "member-added.txt", [("member-added", f"{ITEM}.Channel", C, C)]),
    ("base.txt", "member-removed.txt", [("member-removed", f"{ITEM}.Reason", L, L)]),
    ("base.txt", "member-renamed.txt", [("member-renamed", f"{ITEM}.Reason", L, L)]),
    ("base.txt", "member-case-renamed.txt", [("member-case-renamed", "RestApiLink.HRef", C, L)]),
    ("base.txt", "member-retyped.txt", [("type-changed", f"{ITEM}.SendingAttempts", B, B)]),
    ("member-retyped.txt", "base.txt", [("type-changed", f"{ITEM}.SendingAttempts", C, C)]),
    ("nullable-member.txt", "base.txt", [("nullability-changed", f"{ROOT}.ResponseCode", C, C)]),
    ("base.txt", "nullable-member.txt", [("nullability-changed", f"{ROOT}.ResponseCode", B, B)]),
    (
        "base.txt",
        "item-namespace.txt",
        [
            ("root-name-changed", "root", C, B),
            ("clr-type-changed", ITEM, C, C),
            ("contract-namespace-changed", ITEM, C, B),
        ],
    ),
    (
        "base.txt",
        "item-case-renamed.txt",
        [
            ("root-name-changed", "root", C, B),
            ("generic-argument-changed", ROOT, C, B),
            ("clr-type-changed", ITEM, C, C),
            ("contract-name-changed", ITEM, C, B),
        ],
    ),
    (
        "base.txt",
        "generic-argument.txt",
        [
            ("root-name-changed", "root", C, B),
            ("generic-argument-changed", ROOT, C, B),
            ("clr-type-changed", ITEM, C, C),
            ("contract-name-changed", ITEM, C, B),
        ],
    ),
    ("json-only-media-type.txt", "base.txt", [("media-type-added", "response text/json", C, C)]),
    ("base.txt", "json-only-media-type.txt", [("media-type-removed", "response text/json", B, C)]),
    (
        "base.txt",
        "route-changed.txt",
        [("route-changed", "/api/v1/billing/invoices/retryallfailed", B, B)],
    ),
    (
        "base.txt",
        "route-case-changed.txt",
        [("route-changed", "/api/v1/billing/invoices/retryallfailed", C, C)],
    ),
    (
        "base.txt",
        "method-changed.txt",
        [("method-changed", "/api/v1/billing/invoices/retryallfailed", B, B)],
    ),
    ("base.txt", "date-round-trip.txt", [("json-date-format-changed", "DateTime", L, C)]),
    (
        "failed-count.txt",
        "failed-count-parameters.txt",
        [
            ("parameter-added", "region", B, B),
            ("parameter-retyped", "top", C, C),
            ("parameter-removed", "system", C, C),
        ],
    ),
]


def _load(name: str) -> EndpointContract:
    return load_side(PAGES / name)


@pytest.mark.parametrize(
    ("old", "new", "expected"), CORPUS, ids=[f"{o}->{n}" for o, n, _ in CORPUS]
)
def test_corpus_pair_is_classified_for_both_clients(
    old: str, new: str, expected: list[tuple[str, str, str, str]]
) -> None:
    changes = diff_contracts(_load(old), _load(new))
    found = [(c.kind.value, c.where, c.json.level.value, c.xml.level.value) for c in changes]
    assert found == expected


def test_every_change_has_a_reason_for_each_client() -> None:
    for old, new, _ in CORPUS:
        for change in diff_contracts(_load(old), _load(new)):
            assert change.json.reason and change.xml.reason, change


def test_the_html_and_text_forms_of_a_page_do_not_differ() -> None:
    text = load_side(HELP_PAGES / "get-failed-count.txt")
    html = load_side(HELP_PAGES / "get-failed-count.html")
    assert diff_contracts(text, html) == []


def test_a_rename_keeps_the_position_and_the_type_and_the_rest_is_removed_and_added() -> None:
    string, integer = PrimitiveType(Primitive.STRING), PrimitiveType(Primitive.INT32)
    old = (Member("A", string), Member("B", string), Member("C", integer))
    new = (Member("A", string), Member("X", string), Member("Y", string))
    pairs = pair_members(old, new)
    assert [(o.name, n.name) for o, n in pairs.renamed] == [("B", "X")]
    assert [m.name for m in pairs.removed] == ["C"]  # C became Y but changed type
    assert [m.name for m in pairs.added] == ["Y"]


def test_a_case_only_rename_wins_over_a_positional_rename() -> None:
    string = PrimitiveType(Primitive.STRING)
    pairs = pair_members((Member("HRef", string),), (Member("Href", string),))
    assert [(o.name, n.name) for o, n in pairs.case_renamed] == [("HRef", "Href")]
    assert pairs.renamed == () and pairs.removed == () and pairs.added == ()


def test_a_required_member_missing_breaks_datacontractserializer() -> None:
    for rule in (rules.member_removed, rules.member_renamed, rules.member_case_renamed):
        assert rule(True)[1].level is Level.BREAKING
        assert rule(False)[1].level is Level.LOSSY


@pytest.mark.parametrize(
    ("old", "new", "json", "xml"),
    [
        (Primitive.INT32, Primitive.STRING, B, B),
        (Primitive.STRING, Primitive.INT32, C, C),
        (Primitive.INT64, Primitive.INT32, C, C),
        (Primitive.INT32, Primitive.INT64, B, B),
        (Primitive.DECIMAL, Primitive.INT32, C, C),
        (Primitive.INT32, Primitive.DECIMAL, B, B),
        (Primitive.STRING, Primitive.DATETIME, L, C),
        (Primitive.GUID, Primitive.STRING, B, B),
    ],
)
def test_primitive_retyping_follows_what_each_reader_converts(
    old: Primitive, new: Primitive, json: str, xml: str
) -> None:
    verdicts = rules.primitive_retyped(old, new)
    assert (verdicts[0].level.value, verdicts[1].level.value) == (json, xml)


def test_an_xml_order_change_of_shared_members_is_lossy_for_xml_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With DataMember(Order = ...) the serializer's order is not the ordinal one: simulate it.
    monkeypatch.setattr(compare_module, "xml_member_order", lambda t: t.members)
    base = _load("base.txt")
    item = next(t for t in base.catalog if t.ref.name == ITEM)
    reordered = ComplexType(item.ref, tuple(reversed(item.members)))
    catalog = type(base.catalog)(tuple(reordered if t.ref == item.ref else t for t in base.catalog))
    new = dataclasses.replace(base, catalog=catalog)
    changes = diff_contracts(base, new)
    assert [(c.kind, c.where, c.json.level, c.xml.level) for c in changes] == [
        (ChangeKind.XML_MEMBER_ORDER, ITEM, Level.COMPATIBLE, Level.LOSSY)
    ]


def test_a_type_used_as_a_member_may_change_its_name_but_not_its_namespace() -> None:
    assert rules.contract_name_changed(rules.Role.MEMBER, False)[1].level is Level.COMPATIBLE
    assert rules.contract_namespace_changed(rules.Role.MEMBER)[1].level is Level.LOSSY
    assert rules.contract_namespace_changed(rules.Role.ITEM)[1].level is Level.BREAKING
