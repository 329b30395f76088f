"""The control API under ``/__mock/``: read and steer the mock's state (see control-openapi.yaml).

Every input error is a 4xx JSON body ``{"error": "..."}`` naming the field; nothing a
client sends can produce a 500. Request bodies must be JSON (``application/json``; an
empty body with no Content-Type only without an Origin) nested at most
:data:`~mock_server.control_models.MAX_JSON_DEPTH` levels; an empty body means "all
defaults". Who may call it: :mod:`mock_server.control_guard`.
"""

from __future__ import annotations

import json
import random
import uuid
from importlib import resources
from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, jsonify, request
from pydantic import BaseModel, ValidationError

from contract.models import RESPONSE_MODEL, InvoiceSendingStatusVo
from contract.wire import WireValueError, values_from_json
from mock_server.control_guard import register_guard
from mock_server.control_models import (
    MAX_JSON_DEPTH,
    FaultRequest,
    ScenarioRequest,
    SeedRequest,
    describe_errors,
    explicit_invoices,
    json_depth,
)
from mock_server.control_query import SQLITE_MAX, instant, journal_query, whole_number
from mock_server.invoices import Invoice
from mock_server.mock import Mock, current_mock
from mock_server.scenarios import builtin_scenario
from mock_server.store import FaultKind, JournalEntry
from mock_server.vocabulary import FAILED

__all__ = ["JOURNAL_RESPONSE_LIMIT", "ControlError", "json_error", "register_control"]

PREFIX = "/__mock"
JOURNAL_RESPONSE_LIMIT = 8 * 1024 * 1024
"""Bytes of journal entries ``GET /__mock/journal`` sends at most: the newest that fit."""
_Model = TypeVar("_Model", bound=BaseModel)


class ControlError(Exception):
    """A control request the mock refuses: an HTTP status and a message naming the problem."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def json_error(status: int, message: str, **headers: str) -> Response:
    """``{"error": message}`` with ``status``."""
    response = jsonify(error=message)
    response.status_code = status
    response.headers.update(headers)
    return response


def register_control(app: Flask) -> None:
    """Add the control API to ``app``."""
    blueprint = Blueprint("control", __name__, url_prefix=PREFIX)
    blueprint.add_url_rule("/health", view_func=_health, methods=["GET"])
    blueprint.add_url_rule("/invoices", view_func=_invoices, methods=["GET"])
    blueprint.add_url_rule("/reset", view_func=_reset, methods=["POST"])
    blueprint.add_url_rule("/seed", view_func=_seed, methods=["POST"])
    blueprint.add_url_rule("/scenario", view_func=_get_scenario, methods=["GET"])
    blueprint.add_url_rule("/scenario", view_func=_put_scenario, methods=["PUT"])
    blueprint.add_url_rule("/faults", view_func=_faults, methods=["GET", "POST", "DELETE"])
    blueprint.add_url_rule("/faults/<id>", view_func=_remove_fault, methods=["DELETE"])
    blueprint.add_url_rule("/journal", view_func=_journal, methods=["GET", "DELETE"])
    blueprint.add_url_rule("/openapi.yaml", view_func=_openapi, methods=["GET"])
    register_guard(blueprint, lambda: current_mock().settings)
    blueprint.register_error_handler(ControlError, lambda e: json_error(e.status, e.message))
    app.register_blueprint(blueprint)


def _parse(model: type[_Model]) -> _Model:
    data = request.get_data()
    if request.mimetype and request.mimetype != "application/json" and data:
        raise ControlError(415, f"Content-Type must be application/json, got {request.mimetype}")
    # Checked before parsing: every JSON parser recurses per level of nesting.
    if json_depth(data) > MAX_JSON_DEPTH:
        raise ControlError(
            400, f"request body nests arrays and objects deeper than {MAX_JSON_DEPTH} levels"
        )
    try:
        return model.model_validate_json(_integral_numbers_as_integers(data))
    except ValidationError as error:
        if any(detail["type"] == "json_invalid" for detail in error.errors()):
            raise ControlError(
                400, f"request body is not valid JSON: {_json_problem(data)}"
            ) from None
        raise ControlError(400, describe_errors(error)) from None


def _integral_numbers_as_integers(data: bytes) -> bytes:
    """The body with every number that has no fractional part written as an integer.

    JSON Schema counts ``2445.0`` and ``1e3`` as integers, and so does the control API's
    document; the models are strict (no strings for numbers), so the body is rewritten
    before they see it. A body that is not JSON is left for the models to refuse.
    """
    if not data.strip():
        return b"{}"
    try:
        parsed = json.loads(data, parse_float=_number, parse_constant=_not_a_number)
    except (ValueError, UnicodeDecodeError):
        return data
    return json.dumps(parsed).encode("utf-8")


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _not_a_number(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _json_problem(data: bytes) -> str:
    try:
        json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        return str(error)
    return "unreadable"


def _health() -> Response:
    # Reading the scenario goes through the store: ready means a call would be served.
    return jsonify(status="ready", scenario=current_mock().store.scenario().name)


def _invoices() -> Response:
    invoices = current_mock().store.invoices()
    return jsonify(
        count=len(invoices),
        failed=sum(invoice.status == FAILED for invoice in invoices),
        invoices=[invoice.to_json() for invoice in invoices],
    )


def _reset() -> Response:
    mock = current_mock()
    scenario = mock.reset()
    return jsonify(scenario=scenario.to_json(), count=mock.settings.failed_count(scenario))


def _seed() -> Response:
    body = _parse(SeedRequest)
    mock = current_mock()
    if body.invoices is None:
        invoices = mock.seed(count=body.count, seed=body.seed)
        return jsonify(count=len(invoices), seed=mock.store.scenario().seed)
    mock.seed_explicit(_explicit(mock, body.invoices))
    return jsonify(count=len(body.invoices), seed=mock.store.scenario().seed)


def _explicit(mock: Mock, invoices: list[dict[str, Any]]) -> list[Invoice]:
    rng = random.Random(f"explicit:{mock.store.scenario().seed}")

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    try:
        valid = explicit_invoices(invoices, new_id=new_id, now=mock.settings.clock.now())
    except ValueError as error:
        raise ControlError(400, str(error)) from None
    return [_invoice(given) for given in valid]


def _invoice(given: InvoiceSendingStatusVo) -> Invoice:
    return Invoice(
        practice_id=given.practice_id,
        encounter_id=given.encounter_id,
        invoice_id=given.invoice_id,
        reason=given.reason,
        status=given.status,
        system=given.system,
        sending_time=given.sending_time,
        sending_attempts=given.sending_attempts,
        sending_type=given.sending_type,
    )


def _get_scenario() -> Response:
    return jsonify(current_mock().store.scenario().to_json())


def _put_scenario() -> Response:
    body = _parse(ScenarioRequest)
    mock = current_mock()
    if body.envelope is not None:
        _check_envelope(mock, body.envelope)
    scenario = builtin_scenario(body.name).with_options(
        seed=body.seed if body.seed is not None else mock.settings.seed,
        failed=body.failed,
        max_attempts=body.max_attempts,
        default_success_rate=body.success_rate,
        success_rates=body.success_rates if body.success_rate is None else body.success_rates or {},
        outcomes={key: tuple(word == "success" for word in script)
                  for key, script in (body.outcomes or {}).items()} or None,
        envelope=body.envelope,
    )  # fmt: skip
    reseed = body.reseed if body.reseed is not None else scenario.reseeds
    if body.outcomes:
        after = mock.seeded(scenario) if reseed else mock.store.invoices()
        _check_scripted_ids(body.outcomes, after)
    mock.switch(scenario, reseed=reseed)
    return jsonify(mock.store.scenario().to_json())


def _check_scripted_ids(outcomes: dict[uuid.UUID, Any], invoices: list[Invoice]) -> None:
    """A scripted outcome for an invoice the mock does not hold would never be used:
    refused, naming the id and some the mock does hold."""
    known = {invoice.invoice_id for invoice in invoices}
    unknown = [str(key) for key in outcomes if key not in known]
    if unknown:
        some = ", ".join(str(invoice.invoice_id) for invoice in invoices[:3]) or "none"
        raise ControlError(
            400,
            f"outcomes: invoice {unknown[0]} is not among the mock's {len(known)} invoices"
            f" after this change (for example {some}; GET /__mock/invoices lists them)",
        )


def _check_envelope(mock: Mock, envelope: dict[str, Any]) -> None:
    """The envelope must be a valid response: the contract's model first, then the writer."""
    try:
        RESPONSE_MODEL.model_validate(envelope)
    except ValidationError as error:
        raise ControlError(400, describe_errors(error, prefix="envelope")) from None
    try:
        values = values_from_json(envelope, mock.contract)
        mock.writer.json(values)
    except (WireValueError, ValueError) as error:
        raise ControlError(400, f"envelope: {error}") from None


def _faults() -> Response:
    store = current_mock().store
    if request.method == "POST":
        body = _parse(FaultRequest)
        fault = store.add_fault(
            FaultKind(body.kind), calls=body.calls, share=body.share,
            latency_ms=body.latency_ms or 0,
        )  # fmt: skip
        response = jsonify(fault.to_json())
        response.status_code = 201
        return response
    if request.method == "DELETE":
        store.clear_faults()
    return jsonify(faults=[fault.to_json() for fault in store.faults()])


def _remove_fault(id: str) -> Response:  # the path parameter's name, as documented
    """Remove one fault by its id: 400 unless a number, 404 unless a fault has it."""
    fault_id = id
    if not fault_id.isascii() or not fault_id.isdigit():
        raise ControlError(400, f"fault id must be a whole number (see GET {PREFIX}/faults), "
                                f"got {fault_id[:64]!r}")  # fmt: skip
    store = current_mock().store
    number = whole_number(fault_id)
    if number == SQLITE_MAX or not store.remove_fault(number):
        raise ControlError(404, f"no fault has id {fault_id[:64]} (see GET {PREFIX}/faults)")
    return jsonify(faults=[fault.to_json() for fault in store.faults()])


def _journal() -> Response:
    store = current_mock().store
    if request.method == "DELETE":
        store.clear_journal()
        return _journal_response(store.journal())
    try:
        query = journal_query(request.args)
    except ValueError as error:
        raise ControlError(400, str(error)) from None
    entries = store.journal(after=query.after, limit=query.limit)
    if query.since_time is not None:
        entries = [entry for entry in entries if instant(entry.time) > query.since_time]
    return _journal_response(entries)


def _journal_response(entries: list[JournalEntry]) -> Response:
    """The newest entries whose JSON fits :data:`JOURNAL_RESPONSE_LIMIT`, oldest first."""
    parts: list[str] = []
    size = 0
    for entry in reversed(entries):
        part = json.dumps(entry.to_json(), separators=(",", ":"))  # ASCII: chars are bytes
        size += len(part) + 1
        if size > JOURNAL_RESPONSE_LIMIT:
            break
        parts.append(part)
    body = '{"journal":[' + ",".join(reversed(parts)) + "]}\n"
    return Response(body, mimetype="application/json")


def _openapi() -> Response:
    text = resources.files("mock_server").joinpath("control-openapi.yaml").read_bytes()
    return Response(text, content_type="application/yaml; charset=utf-8")
