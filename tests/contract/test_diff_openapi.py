"""``contract diff`` with generated ``openapi.yaml`` files on either side.

Every help page the kit can resolve is generated, read back and diffed against itself;
the corpus of :mod:`tests.contract.test_diff` is run again with both sides (and with one
side) given as generated documents; a YAML file that is not one of ours is refused.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract.clr import (
    ArrayType,
    ComplexRef,
    ComplexType,
    Constraints,
    DictionaryType,
    Primitive,
    PrimitiveType,
    TypeCatalog,
)
from contract.compiler import cli
from contract.compiler.diff import ChangeKind, Level, diff_contracts, load_side
from contract.compiler.diff.from_openapi import read_openapi_contract
from contract.compiler.emit.openapi import build_openapi, render_openapi
from contract.compiler.helppage import read_help_page
from contract.compiler.located import ContractError
from contract.compiler.resolve import resolve_contract
from contract.endpoint import EndpointContract, Parameter, ParameterSource
from tests.contract.test_diff import CORPUS

REPO = Path(__file__).parents[2]
DIFF_PAGES = Path(__file__).parent / "diff_pages"
HELP_PAGES = Path(__file__).parent / "helppage" / "pages"
# Pages the resolver refuses (tests/contract/test_generate_pages.py): no contract, no yaml.
REFUSED = frozenset({"get-invoice-lines.txt", "put-setting.txt"})
# Pages that resolve only with a CLR namespace given on the command line.
NAMESPACES = {"get-invoices.txt": "Acme.Billing"}
ROUND_TRIP_PAGES = sorted(
    [p for p in HELP_PAGES.glob("*.txt") if p.name not in REFUSED] + list(DIFF_PAGES.glob("*.txt")),
    key=lambda p: (p.parent.name, p.name),
)


def _page_contract(page: Path) -> EndpointContract:
    return resolve_contract(read_help_page(page), clr_namespace=NAMESPACES.get(page.name))


def _generate(contract: EndpointContract, directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.openapi.yaml"
    path.write_text(render_openapi(contract), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every diff corpus page's generated openapi.yaml, by page name."""
    directory = tmp_path_factory.mktemp("openapi")
    return {
        page.name: _generate(_page_contract(page), directory, page.stem)
        for page in DIFF_PAGES.glob("*.txt")
    }


@pytest.mark.parametrize("page", ROUND_TRIP_PAGES, ids=[p.name for p in ROUND_TRIP_PAGES])
def test_a_generated_openapi_yaml_reads_back_to_its_page_contract(
    page: Path, tmp_path: Path
) -> None:
    contract = _page_contract(page)
    read_back = load_side(_generate(contract, tmp_path, page.stem))
    assert diff_contracts(contract, read_back) == []
    assert diff_contracts(read_back, contract) == []
    assert (read_back.method, read_back.route) == (contract.method, contract.route)
    assert read_back.response_type == contract.response_type
    assert read_back.json_date_format is contract.json_date_format
    assert read_back.response_media_types == contract.response_media_types


@pytest.mark.parametrize("page", ROUND_TRIP_PAGES, ids=[p.name for p in ROUND_TRIP_PAGES])
def test_the_catalog_reads_back_but_for_member_annotations_and_descriptions(
    page: Path, tmp_path: Path
) -> None:
    contract = _page_contract(page)
    read_back = load_side(_generate(contract, tmp_path, page.stem))

    def shape(c: EndpointContract) -> dict[Any, Any]:
        return {t.ref: [(m.name, m.type) for m in t.members] for t in c.catalog}

    reachable = {t.ref for t in read_back.catalog}
    assert {r: m for r, m in shape(contract).items() if r in reachable} == shape(read_back)


def test_the_generate_command_output_reads_back(tmp_path: Path) -> None:
    page = HELP_PAGES / "post-note.txt"
    cli.main(["generate", str(page), "--out", str(tmp_path)])
    assert diff_contracts(_page_contract(page), load_side(tmp_path / "openapi.yaml")) == []


def test_the_committed_openapi_yaml_matches_its_help_page() -> None:
    page = load_side(REPO / "contract" / "source" / "retryallfailed.txt")
    assert diff_contracts(page, load_side(REPO / "openapi.yaml")) == []


def _found(old: EndpointContract, new: EndpointContract) -> list[tuple[str, str, str, str]]:
    changes = diff_contracts(old, new)
    return [(c.kind.value, c.where, c.json.level.value, c.xml.level.value) for c in changes]


@pytest.mark.parametrize(
    ("old", "new", "expected"), CORPUS, ids=[f"{o}->{n}" for o, n, _ in CORPUS]
)
def test_the_corpus_classifies_the_same_from_openapi_yaml_files(
    old: str, new: str, expected: list[tuple[str, str, str, str]], generated: dict[str, Path]
) -> None:
    old_yaml, new_yaml = load_side(generated[old]), load_side(generated[new])
    assert _found(old_yaml, new_yaml) == expected
    assert _found(load_side(DIFF_PAGES / old), new_yaml) == expected
    assert _found(old_yaml, load_side(DIFF_PAGES / new)) == expected


def test_the_entry_point_diffs_two_openapi_yaml_files(generated: dict[str, Path]) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "contract",
            "diff",
            str(generated["base.txt"]),
            str(generated["member-removed.txt"]),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0].startswith("member-removed InvoiceSendingStatusVo.Reason")


def _write(path: Path, document: Any) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def _ours() -> dict[str, Any]:
    return build_openapi(_page_contract(DIFF_PAGES / "base.txt"))


def _without_date_format() -> dict[str, Any]:
    document = _ours()
    del document["x-json-date-format"]
    return document


def _without_clr_type() -> dict[str, Any]:
    document = _ours()
    del document["components"]["schemas"]["RestApiLink"]["x-clr-type"]
    return document


def _without_member_order() -> dict[str, Any]:
    document = _ours()
    del document["components"]["schemas"]["RestApiLink"]["x-xml-member-order"]
    return document


FOREIGN = [
    (
        {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}},
        "no x-json-date-format extension",
    ),
    (_without_date_format, "no x-json-date-format extension"),
    (_without_clr_type, "RestApiLink's x-clr-type is missing"),
    (_without_member_order, "RestApiLink has no x-xml-member-order extension"),
    (["a", "list"], "the document is missing or not a mapping"),
]


@pytest.mark.parametrize(("document", "reason"), FOREIGN, ids=[r for _, r in FOREIGN])
def test_a_yaml_that_is_not_ours_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, document: Any, reason: str
) -> None:
    path = _write(tmp_path / "foreign.yaml", document() if callable(document) else document)
    code = cli.main(["diff", str(path), str(DIFF_PAGES / "base.txt")])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert len(captured.err.splitlines()) == 1
    assert captured.err.startswith(f"error: {path}") and reason in captured.err
    assert "not an openapi.yaml generated by `python -m contract generate`" in captured.err


@pytest.mark.parametrize(
    ("text", "reason"),
    [("a: [b\nc: d\n", "cannot read the OpenAPI document"), (None, "No such file")],
)
def test_an_unreadable_yaml_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str | None, reason: str
) -> None:
    path = tmp_path / "broken.yml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    code = cli.main(["diff", str(DIFF_PAGES / "base.txt"), str(path)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1
    assert err.startswith(f"error: {path}") and reason in err


def test_what_the_emitter_does_not_write_the_diff_does_not_compare(tmp_path: Path) -> None:
    # A T[] collection, an optional path parameter, a nullable query parameter and a body
    # read with the response formatters: openapi.yaml keeps none of these distinctions.
    base = _page_contract(HELP_PAGES / "post-note.txt")
    guid = PrimitiveType(Primitive.GUID)
    ids = ArrayType(PrimitiveType(Primitive.INT32), "System.Int32[]")
    parameters = (
        Parameter("invoiceId", ParameterSource.URI, guid),
        Parameter("ids", ParameterSource.URI, ids),
        *(p for p in base.parameters if p.source is ParameterSource.BODY),
    )
    contract = dataclasses.replace(
        base, parameters=parameters, request_media_types=(), samples=(), request_samples=()
    )
    read_back = read_openapi_contract(_generate(contract, tmp_path, "variant"))
    assert diff_contracts(contract, read_back) == []
    assert read_back.parameters[0].constraints.required  # OpenAPI path parameters are
    assert read_back.request_media_types == contract.response_media_types


def test_member_annotations_do_not_round_trip_so_a_page_gives_the_old_side_best(
    tmp_path: Path,
) -> None:
    # The emitter writes every member as JSON-required and no IsRequired: a removed
    # Required member is breaking for DataContractSerializer only when OLD is a page.
    base = _page_contract(DIFF_PAGES / "base.txt")
    item = next(t for t in base.catalog if t.ref.name == "InvoiceSendingStatusVo")
    required = Constraints(required=True, max_length=80)
    members = tuple(
        dataclasses.replace(m, constraints=required) if m.name == "Reason" else m
        for m in item.members
    )
    marked = dataclasses.replace(item, members=members)
    catalog = type(base.catalog)(tuple(marked if t is item else t for t in base.catalog))
    page = dataclasses.replace(base, catalog=catalog)
    read_back = load_side(_generate(page, tmp_path, "required"))
    reason = next(t for t in read_back.catalog if t.ref == item.ref).member("Reason")
    assert reason.constraints == Constraints(max_length=80)
    new = _page_contract(DIFF_PAGES / "member-removed.txt")
    assert [(c.kind, c.xml.level) for c in diff_contracts(page, new)] == [
        (ChangeKind.MEMBER_REMOVED, Level.BREAKING)
    ]
    assert [(c.kind, c.xml.level) for c in diff_contracts(read_back, new)] == [
        (ChangeKind.MEMBER_REMOVED, Level.LOSSY)
    ]


def test_a_contract_error_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.yaml", {**_ours(), "x-json-date-format": "sometimes"})
    with pytest.raises(ContractError, match="x-json-date-format 'sometimes'") as error:
        read_openapi_contract(path)
    assert str(path) in str(error.value)


def test_a_dictionary_body_and_response_keep_their_key_type(tmp_path: Path) -> None:
    # JSON writes every dictionary as an object keyed by strings; the XML root name
    # (ArrayOfKeyValueOfintstring) gives the key type back.
    base = _page_contract(HELP_PAGES / "delete-invoice.txt")
    by_int = DictionaryType(PrimitiveType(Primitive.INT32), PrimitiveType(Primitive.STRING))
    by_guid = DictionaryType(PrimitiveType(Primitive.GUID), PrimitiveType(Primitive.DECIMAL))
    body = Parameter("body", ParameterSource.BODY, by_guid)
    contract = dataclasses.replace(
        base, response_type=by_int, parameters=(*base.parameters, body), samples=()
    )
    read_back = read_openapi_contract(_generate(contract, tmp_path, "dictionary"))
    assert read_back.response_type == by_int
    assert read_back.parameters[-1].type == by_guid
    assert diff_contracts(contract, read_back) == []


def test_a_generic_type_nested_in_itself_reads_back(tmp_path: Path) -> None:
    base = _page_contract(DIFF_PAGES / "base.txt")
    root = base.response_type
    assert isinstance(root, ComplexRef)
    nested = ComplexRef(root.clr_namespace, root.name, (root,))
    template = base.catalog[root]
    members = tuple(
        dataclasses.replace(m, type=root) if m.name == "Data" else m for m in template.members
    )
    catalog = TypeCatalog((*base.catalog, ComplexType(nested, members)))
    contract = dataclasses.replace(base, response_type=nested, catalog=catalog, samples=())
    read_back = read_openapi_contract(_generate(contract, tmp_path, "nested"))
    assert read_back.response_type == nested
    assert diff_contracts(contract, read_back) == []
