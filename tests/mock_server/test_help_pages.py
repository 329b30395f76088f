"""The mock serves the service's help pages: the HelpPage package's HTML of the contract,
as ``python -m contract update`` rendered them into ``contract/generated/help``."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from flask.testing import FlaskClient
from lxml import etree

from contract.artifacts import help_page_files
from contract.compiler import read_help_page, resolve_contract
from contract.compiler.generate import HELP_PAGE
from contract.compiler.helppage import HelpPage, parse_help_page_html
from mock_server import helppages
from tests.contract.helppage.support import without_positions
from tests.mock_server.conftest import REPO, ROUTE, live_mock, make_app

INDEX = "/Help"
API = "/Help/Api/POST-api-v1-billing-invoices-retryallfailed"
HTML = "text/html; charset=utf-8"


@pytest.fixture(scope="module")
def source() -> HelpPage:
    """The contract's own help page, read from its text form."""
    return read_help_page(REPO / HELP_PAGE)


def well_formed(data: bytes) -> etree._Element:
    """The page parsed as strict XML: fails on anything not well-formed."""
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False))


def check_action_page(data: bytes, source: HelpPage, where: str) -> None:
    """The page reads back to the text source's page and to the same contract."""
    well_formed(data)
    served = parse_help_page_html(data.decode("utf-8"), source=where)
    assert without_positions(served) == without_positions(source)
    assert resolve_contract(served) == resolve_contract(source)


def check_index(data: bytes) -> None:
    """The index lists the action, with its documentation, linking to its page."""
    root = well_formed(data)
    assert root.findtext("head/title") == "ASP.NET Web API Help Page"
    assert [h2.text for h2 in root.iter("h2") if h2.get("id")] == ["Invoices"]
    link = root.find(".//td[@class='api-name']/a")
    assert link is not None
    assert (link.text, link.get("href")) == ("POST api/v1/billing/invoices/retryallfailed", API)
    documentation = root.findtext(".//td[@class='api-documentation']/p")
    assert documentation == "Trigger command to retry all failed invoices to external system"


def test_action_page_is_the_contract_source_in_html(client: FlaskClient, source: HelpPage) -> None:
    response = client.get(API)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == HTML
    check_action_page(response.data, source, API)


def test_index_lists_the_action_and_links_to_its_page(client: FlaskClient) -> None:
    response = client.get(INDEX)
    assert (response.status_code, response.headers["Content-Type"]) == (200, HTML)
    check_index(response.data)
    assert client.get("/Help/Index").data == response.data


@pytest.mark.parametrize(
    ("path", "same_as"),
    [
        ("/help", INDEX),
        ("/HELP/", INDEX),
        ("/help/index", INDEX),
        ("/help/api/post-API-v1-billing-invoices-RETRYALLFAILED", API),
        (API + "/", API),
        (API + "?anything=1", API),
    ],
)
def test_pages_match_in_any_case_as_mvc_routes_do(
    client: FlaskClient, path: str, same_as: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.data == client.get(same_as).data


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_every_method_gets_the_page_as_the_help_controller_takes_any(
    client: FlaskClient, method: str
) -> None:
    response = client.open(API, method=method, environ_base={"CONTENT_LENGTH": "0"})
    assert response.status_code == 200 and response.data == client.get(API).data


def test_a_post_without_length_gets_the_411_page_as_elsewhere(client: FlaskClient) -> None:
    assert client.post(INDEX).status_code == 411


def test_head_gets_the_headers_without_the_body(client: FlaskClient) -> None:
    response = client.head(INDEX)
    assert response.status_code == 200 and response.data == b""
    assert response.headers["Content-Length"] == str(len(client.get(INDEX).data))


def test_pages_carry_an_mvc_pages_headers(client: FlaskClient) -> None:
    response = client.get(API)
    assert list(response.headers.items()) == [
        ("Cache-Control", "private"),
        ("Content-Type", HTML),
        ("Server", "Microsoft-IIS/10.0"),
        ("X-AspNet-Version", "4.0.30319"),
        ("X-Powered-By", "ASP.NET"),
        ("Content-Length", str(len(response.data))),
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/Help/Nothing",
        "/Help/Api",
        "/Help/Api/GET-api-v1-billing-invoices-retryallfailed",
        "/Help/Api/POST-api-v1-billing-invoices-retryallfailed/extra",
        "/Help/ResourceModel?modelName=Anything",
        "/Helpers",
    ],
)
def test_other_help_paths_are_the_services_404(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-cache"
    message = json.loads(response.data)["Message"]
    assert message.startswith("No HTTP resource was found that matches the request URI")
    assert f"'http://localhost{path}'" in message


def test_pages_are_read_once_per_app_not_per_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: HelpPage
) -> None:
    calls: list[int] = []

    def counting() -> dict[str, bytes]:
        calls.append(1)
        return help_page_files()

    monkeypatch.setattr(helppages, "help_page_files", counting)
    client = make_app(tmp_path).test_client()
    assert len(calls) == 1
    for _ in range(3):
        check_action_page(client.get(API).data, source, API)
        check_index(client.get(INDEX).data)
    assert len(calls) == 1


@pytest.mark.parametrize(
    "files",
    [
        {},
        {"Api/A.html": b"a"},
        {"Index.html": b"i"},
        {"Index.html": b"i", "Api/A.html": b"a", "Api/B.html": b"b"},
    ],
)
def test_generated_pages_without_an_index_or_one_action_page_are_refused(
    monkeypatch: pytest.MonkeyPatch, files: dict[str, bytes]
) -> None:
    monkeypatch.setattr(helppages, "help_page_files", lambda: files)
    with pytest.raises(ValueError, match="contract/generated/help holds"):
        helppages.load_help_pages()


def test_an_action_page_is_served_at_its_file_name() -> None:
    pages = helppages.load_help_pages()
    assert pages.api_path == API
    assert pages.paths == [INDEX, "/Help/Index", API]


def test_the_help_pages_do_not_change_the_retry_state(client: FlaskClient) -> None:
    before = client.get("/__mock/invoices").json
    client.get(INDEX)
    client.get(API)
    assert client.get("/__mock/invoices").json == before
    body = client.get("/__mock/journal").json
    assert body is not None
    journal = body["journal"]
    assert [(entry["path"], entry["status"]) for entry in journal][-2:] == [
        (INDEX, 200),
        (API, 200),
    ]


def test_a_live_mock_serves_both_pages(source: HelpPage) -> None:
    with live_mock("--workers", "1") as mock:
        index = httpx.get(mock.url + INDEX, timeout=30)
        page = httpx.get(mock.url + API, timeout=30)
        followed = httpx.get(mock.url + "/help/API/post-api-v1-billing-invoices-retryallfailed")
        missing = httpx.get(mock.url + "/Help/Nothing")
        retried = httpx.post(mock.url + ROUTE, headers={"Content-Length": "0"}, timeout=30)
    assert (index.status_code, page.status_code, followed.status_code) == (200, 200, 200)
    assert index.headers["content-type"] == page.headers["content-type"] == HTML
    assert page.headers["cache-control"] == "private"
    check_index(index.content)
    check_action_page(page.content, source, API)
    assert followed.content == page.content
    assert missing.status_code == 404
    assert retried.status_code == 200
