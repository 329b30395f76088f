"""``python -m contract generate`` on every page shape the readers support, HTML and text.

Each test page either generates artifacts that tools accept (the OpenAPI validator, lxml,
Python's import) or, where the page really lacks what the artifacts need, is refused
with one line naming the file, the section and the line.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from lxml import etree
from openapi_spec_validator import validate

from contract.clr import Primitive, PrimitiveType
from contract.compiler.generate import render_all
from contract.compiler.helppage import read_help_page
from contract.compiler.resolve import ContractError, resolve_contract
from contract.xsd_validator import ENTRY_SCHEMA, xsd_schema

REPO = Path(__file__).parents[2]
PAGES = Path(__file__).parent / "helppage" / "pages"
FORMS = ("txt", "html")
GENERATING = ("delete-invoice", "post-note", "get-failed-count", "get-invoice-totals")
# (page, form) -> (line, section, what the message says is missing); the lines are where
# the page names the type it says too little about.
REFUSED = {
    ("get-invoices", "txt"): (22, "Resource Description", "CLR namespace of InvoiceSummary"),
    ("get-invoices", "html"): (92, "Resource Description", "CLR namespace of InvoiceSummary"),
    ("put-setting", "txt"): (33, "Response Formats", "no model table for SettingKind"),
    ("put-setting", "html"): (77, "Response Formats", "no model table for SettingKind"),
    # The line is the JSON sample's; the message names the XML sample's too.
    ("get-invoice-lines", "txt"): (
        23,
        "Response Formats",
        "the JSON sample (line 23) and the XML sample (line 38) disagree",
    ),
    ("get-invoice-lines", "html"): (
        90,
        "Response Formats",
        "the JSON sample (line 90) and the XML sample (line 109) disagree",
    ),
}
ALL_PAGES = [(name, form) for name in GENERATING for form in FORMS] + list(REFUSED)


def _run(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "contract", *map(str, arguments)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )


def _import(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"generated_{path.parent.name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_usable(files: dict[str, bytes], directory: Path) -> ModuleType:
    """The OpenAPI document validates, every schema loads in lxml, models.py imports."""
    validate(yaml.safe_load(files["openapi.yaml"]))
    schemas = {path.removeprefix("xsd/"): data for path, data in files.items() if ".xsd" in path}
    assert ENTRY_SCHEMA in schemas
    for path in schemas:
        assert xsd_schema(schemas, path) is not None, path
    models = directory / "models.py"
    models.parent.mkdir(parents=True, exist_ok=True)
    models.write_bytes(files["models.py"])
    return _import(models)


@pytest.mark.parametrize("form", FORMS)
def test_generate_void_delete_page_gives_204_and_an_xsd_that_accepts_nothing(
    form: str, tmp_path: Path
) -> None:
    files = render_all(PAGES / f"delete-invoice.{form}")
    models = assert_usable(files, tmp_path)
    document = yaml.safe_load(files["openapi.yaml"])
    operation = document["paths"]["/api/v1/billing/invoices/{invoiceId}"]["delete"]
    assert "204" in operation["responses"] and "200" not in operation["responses"]
    assert sorted(path for path in files if path.startswith("xsd/")) == ["xsd/response.xsd"]
    assert b"<xs:element" not in files["xsd/response.xsd"]
    assert models.__all__ == []


@pytest.mark.parametrize("form", FORMS)
def test_generate_primitive_response_page_roots_the_xsd_in_the_serialization_namespace(
    form: str, tmp_path: Path
) -> None:
    files = render_all(PAGES / f"post-note.{form}")
    models = assert_usable(files, tmp_path)
    document = yaml.safe_load(files["openapi.yaml"])
    operation = document["paths"]["/api/v1/billing/invoices/{invoiceId}/notes"]["post"]
    xml_content = operation["responses"]["200"]["content"]["application/xml"]
    xml_sample = xml_content["examples"]["helpPage"]["value"]
    validator = xsd_schema({p.removeprefix("xsd/"): d for p, d in files.items() if ".xsd" in p})
    assert validator.validate(etree.fromstring(xml_sample.encode())), validator.error_log
    assert {"InvoiceNote", "NoteAuthor"} <= set(models.__all__)


@pytest.mark.parametrize(("name", "form"), list(REFUSED))
def test_resolve_page_lacking_information_names_section_and_line(name: str, form: str) -> None:
    line, section, missing = REFUSED[name, form]
    page = PAGES / f"{name}.{form}"
    with pytest.raises(ContractError) as raised:
        resolve_contract(read_help_page(page))
    assert (raised.value.source, raised.value.section, raised.value.line) == (
        str(page),
        section,
        line,
    )
    assert missing in raised.value.reason


def test_generate_get_page_with_a_given_clr_namespace_generates(tmp_path: Path) -> None:
    files = render_all(PAGES / "get-invoices.txt", clr_namespace="Acme.Billing")
    models = assert_usable(files, tmp_path)
    assert "xsd/wire/Acme.Billing.xsd" in files
    assert "InvoiceSummary" in models.__all__


@pytest.mark.parametrize(("name", "form"), ALL_PAGES)
def test_cli_generate_every_test_page_writes_artifacts_or_one_located_error_line(
    name: str, form: str, tmp_path: Path
) -> None:
    page = PAGES / f"{name}.{form}"
    result = _run("generate", page, "--out", tmp_path / "out")
    assert "Traceback" not in result.stderr
    if (name, form) in REFUSED:
        line, section, missing = REFUSED[name, form]
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1, result.stderr
        where = f"error: {page}:{line}: in section '{section}': "
        pattern = f"{re.escape(where)}.*{re.escape(missing)}"
        assert re.match(pattern, result.stderr), result.stderr
        assert not (tmp_path / "out").exists()
    else:
        assert result.returncode == 0, result.stderr
        written = {
            p.relative_to(tmp_path / "out").as_posix(): p.read_bytes()
            for p in (tmp_path / "out").rglob("*")
            if p.is_file()
        }
        assert written == render_all(page)
        assert_usable(written, tmp_path / "import")


def test_cli_generate_clr_namespace_option_reaches_the_resolver(tmp_path: Path) -> None:
    page = PAGES / "get-invoices.html"
    result = _run("generate", page, "--out", tmp_path, "--clr-namespace", "Acme.Billing")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "xsd" / "wire" / "Acme.Billing.xsd").is_file()


@pytest.mark.parametrize("form", FORMS)
def test_generate_query_string_route_gives_query_parameters_and_a_plain_path(
    form: str, tmp_path: Path
) -> None:
    files = render_all(PAGES / f"get-failed-count.{form}")
    assert_usable(files, tmp_path)
    document = yaml.safe_load(files["openapi.yaml"])
    assert list(document["paths"]) == ["/api/v1/billing/invoices/failedcount"]
    operation = document["paths"]["/api/v1/billing/invoices/failedcount"]["get"]
    # HelpPage's friendly id: the path's id, then the query keys (GetFriendlyId).
    assert operation["operationId"] == "GET-api-v1-billing-invoices-failedcount_since_top_system"
    by_name = {p["name"]: p for p in operation["parameters"]}
    assert [(p["name"], p["in"], p["required"]) for p in operation["parameters"]] == [
        ("since", "query", True),  # "Required"
        ("top", "query", False),  # "Default value is 100": optional
        ("system", "query", False),  # no annotation: a default of null
    ]
    assert (by_name["top"]["schema"]["minimum"], by_name["top"]["schema"]["maximum"]) == (1, 1000)
    assert by_name["since"]["description"] == "Count failures after this time"


def test_resolve_query_string_route_gives_the_template_as_the_contract_route() -> None:
    contract = resolve_contract(read_help_page(PAGES / "get-invoices.txt"), clr_namespace="A.B")
    assert contract.route == "api/v1/billing/practices/{practiceId}/invoices"
    assert contract.path == "/api/v1/billing/practices/{practiceId}/invoices"
    document = yaml.safe_load(
        render_all(PAGES / "get-invoices.txt", clr_namespace="A.B")["openapi.yaml"]
    )
    operation = document["paths"][contract.path]["get"]
    where = [(p["name"], p["in"], p["required"]) for p in operation["parameters"]]
    assert where == [("practiceId", "path", True), ("status", "query", False),
                     ("page", "query", True)]  # fmt: skip


@pytest.mark.parametrize("form", FORMS)
def test_generate_failed_xml_samples_give_no_xml_example(form: str, tmp_path: Path) -> None:
    files = render_all(PAGES / f"get-invoice-totals.{form}")
    assert_usable(files, tmp_path)
    document = yaml.safe_load(files["openapi.yaml"])
    content = document["paths"]["/api/v1/billing/invoices/{invoiceId}/totals"]["get"]["responses"][
        "200"
    ]["content"]
    assert content["application/json"]["examples"]["helpPage"]["value"]["Net"] == 1.0
    for media_type in ("application/xml", "text/xml"):
        assert "examples" not in content[media_type], media_type
    assert b"Failed to generate" not in files["openapi.yaml"]


@pytest.mark.parametrize(
    ("xml_code", "clr_type"),
    [("120", Primitive.CHAR), ("x", Primitive.STRING)],
)
def test_resolve_one_letter_json_string_is_a_char_only_when_xml_writes_its_code(
    xml_code: str, clr_type: Primitive, tmp_path: Path
) -> None:
    page = tmp_path / "lines.txt"
    text = (PAGES / "get-invoice-lines.txt").read_text(encoding="utf-8")
    page.write_text(text.replace("<Code>8</Code>", f"<Code>{xml_code}</Code>"), encoding="utf-8")
    contract = resolve_contract(read_help_page(page))
    line = next(t for t in contract.catalog if t.ref.name == "InvoiceLineVo")
    assert line.member("Code").type == PrimitiveType(clr_type)
