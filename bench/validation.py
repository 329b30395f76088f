"""Validation speed: the suite's body checks on a 100,000-item response, against the
schema validators other tools use on the same bytes.

The bodies are the mock's own answers (scenario ``all-failing``, N failed invoices),
produced in-process. Every side starts from the response bytes, so parsing is inside
every timing: the suite's ``read_json_body``/``read_xml_body`` parse themselves (and the
JSON and XML timings include building the wire values, which the suite's cross and state
checks read), and the baselines are timed as ``json.loads`` + jsonschema, and lxml parse
+ XMLSchema.

* JSON baseline: a Draft 2020-12 ``jsonschema`` validator for the 200 ``application/json``
  schema of ``openapi.yaml``, components resolved with ``referencing`` - what
  schemathesis' ``response_schema_conformance`` and openapi-core do. Once without and
  once with format checking (``uuid``, ``date-time``), as tools differ there.
* XML baseline: lxml ``XMLSchema`` with the contract's ``response.xsd``. schemathesis
  does not validate XML bodies at all. The suite's XML check runs this same XSD on the
  same parsed tree, on a worker thread beside its own checks, so this baseline (parse
  plus XSD) is the floor it can reach.

Each timing is the best of ``--repeat`` runs.

    .venv/bin/python -m bench.validation [--items 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from lxml import etree
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from bench.common import REPO, ROUTE, BenchError, item_count, markdown_table, record, run_main
from conformance.contract_view import load_suite_contract
from conformance.json_body import JsonReading, read_json_body
from conformance.xml_body import XmlReading, read_xml_body
from mock_server import create_app

SCHEMA_URI = "urn:retryallfailed:openapi"


def mock_bodies(items: int) -> dict[str, bytes]:
    """The mock's 200 bodies for ``items`` failed invoices, JSON and XML."""
    with tempfile.TemporaryDirectory(prefix="bench-validation-") as directory:
        app = create_app(
            {"DATABASE": Path(directory) / "mock.sqlite3", "SCENARIO": "all-failing",
             "FAILED": items, "CLOCK": "2025-12-14T19:20:43.1992775+02:00"}
        )  # fmt: skip
        client = app.test_client()
        bodies = {}
        for media_type in ("application/json", "application/xml"):
            response = client.post(
                ROUTE, headers={"Accept": media_type}, environ_base={"CONTENT_LENGTH": "0"}
            )
            if response.status_code != 200 or item_count(response.data, media_type) != items:
                raise BenchError(f"the mock did not return {items} items as {media_type}")
            bodies[media_type] = response.data
    return bodies


def json_schema_validator(*, formats: bool) -> Draft202012Validator:
    """A validator of the 200 application/json schema, ``#/components`` resolved."""
    document = yaml.safe_load((REPO / "openapi.yaml").read_text(encoding="utf-8"))
    operation = document["paths"][ROUTE]["post"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    # The schema's $refs point into the OpenAPI document: register it as a resource and
    # make the response schema a reference into it.
    registry: Registry[Any] = Registry().with_resource(
        SCHEMA_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$ref": SCHEMA_URI + schema["$ref"]}  # fmt: skip
    checker = Draft202012Validator.FORMAT_CHECKER if formats else None
    return Draft202012Validator(root, registry=registry, format_checker=checker)


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """The fastest of ``repeat`` timed runs of ``run``, in seconds.

    What ``run`` returns is freed after the clock stops: a reading's values are what the
    suite keeps, and taking them apart is no part of validating.
    """
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        timings.append(time.perf_counter() - started)
        del result
    return min(timings)


def measure(items: int, repeat: int) -> dict[str, float]:
    """Seconds per validation of each side, after checking that every side accepts."""
    bodies = mock_bodies(items)
    json_body, xml_body = bodies["application/json"], bodies["application/xml"]
    suite = load_suite_contract()
    plain, formats = json_schema_validator(formats=False), json_schema_validator(formats=True)
    xsd = etree.XMLSchema(etree.parse(str(REPO / "contract/generated/xsd/response.xsd")))
    runs: dict[str, Callable[[], object]] = {
        "suite JSON": lambda: _built(read_json_body(json_body, suite.endpoint)),
        "jsonschema": lambda: plain.validate(json.loads(json_body)),
        "jsonschema + formats": lambda: formats.validate(json.loads(json_body)),
        "suite XML": lambda: _built(read_xml_body(xml_body, suite.endpoint, schema=suite.xsd)),
        "lxml XMLSchema": lambda: xsd.assertValid(etree.fromstring(xml_body)),
    }
    return {name: best_of(repeat, run) for name, run in runs.items()}


def _built(reading: JsonReading | XmlReading) -> JsonReading | XmlReading:
    # The suite's cross and state checks read the values: building them is part of the cost.
    _accepted(reading.failures)
    if reading.values is None:
        raise BenchError("the suite built no values for the mock's body")
    return reading


def _accepted(failures: list[Any]) -> None:
    if failures:
        raise BenchError(f"the suite rejected the mock's body: {failures[0]}")


def main() -> None:
    """Measure and record the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000, help="items in the response")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side (best counts)")
    options = parser.parse_args()
    if options.items < 1 or options.repeat < 1:
        raise SystemExit("error: --items and --repeat must be 1 or more")
    seconds = measure(options.items, options.repeat)
    rows = [
        ["JSON", "suite `read_json_body`", f"{seconds['suite JSON']:.3f}", "1.00×"],
        *[
            ["JSON", f"{name} (Draft 2020-12)", f"{seconds[name]:.3f}",
             f"{seconds[name] / seconds['suite JSON']:.2f}×"]
            for name in ("jsonschema", "jsonschema + formats")
        ],
        ["XML", "suite `read_xml_body` (checks + XSD + values)", f"{seconds['suite XML']:.3f}",
         "1.00×"],
        ["XML", "lxml XMLSchema (response.xsd)", f"{seconds['lxml XMLSchema']:.3f}",
         f"{seconds['lxml XMLSchema'] / seconds['suite XML']:.2f}×"],
    ]  # fmt: skip
    headers = ["format", "validator", "seconds", "baseline time / suite time"]
    record(
        f"Validation speed, {options.items:,} items (best of {options.repeat})",
        markdown_table(headers, rows),
        [
            "Every side starts from the response bytes: parsing is included everywhere.",
            "jsonschema is what schemathesis and openapi-core run on JSON bodies; "
            "schemathesis does not validate XML bodies at all.",
            "The suite's XML check includes the same lxml XSD validation as the baseline.",
        ],
    )


if __name__ == "__main__":
    run_main(main)
