"""``http.*`` checks: status codes, negotiated Content-Type and charset, Allow, error bodies."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.checks.base import Evidence, covers, media_type_of
from conformance.failures import HttpFailure
from conformance.json_body import JsonObject, JsonSyntaxError, parse_json
from conformance.negotiation import expected_media_type
from conformance.xml_body import XmlSyntaxError, parse_xml
from contract.endpoint import JSON_MEDIA_TYPES, XML_MEDIA_TYPES

__all__ = [
    "check_allow_header",
    "check_charset",
    "check_content_type",
    "check_error_body",
    "check_method_not_allowed",
    "check_not_found",
    "check_post_status",
    "check_server_error",
]

# HttpError's keys besides Message (Web API adds them with error detail turned on).
_HTTP_ERROR_KEYS = frozenset(
    {
        "Message",
        "MessageDetail",
        "ExceptionMessage",
        "ExceptionType",
        "StackTrace",
        "InnerException",
        "ModelState",
    }
)


def _status(evidence: Evidence, rule: str, expected: int, what: str) -> Iterator[HttpFailure]:
    status = evidence.response.status
    if status != expected:
        yield HttpFailure(
            rule=rule,
            expected=f"{expected} {what}",
            received=f"status {status}",
            location="status",
            request=evidence.label,
        )


@covers("http.server-error")
def check_server_error(evidence: Evidence) -> Iterator[HttpFailure]:
    """http.server-error: no request, whatever it is, gets a 5xx."""
    status = evidence.response.status
    if status >= 500:
        snippet = evidence.response.body[:200].decode("utf-8", "replace")
        received = f"status {status}: {snippet!r}"
        yield HttpFailure(
            rule="http.server-error",
            expected="no 5xx status",
            received=received,
            location="status",
            request=evidence.label,
        )


@covers("http.status-code")
def check_post_status(evidence: Evidence) -> Iterator[HttpFailure]:
    """http.status-code: POST on the route returns 200."""
    yield from _status(evidence, "http.status-code", 200, "OK")


@covers("http.method-not-allowed")
def check_method_not_allowed(evidence: Evidence) -> Iterator[HttpFailure]:
    """http.method-not-allowed: any other method on the route returns 405."""
    yield from _status(evidence, "http.method-not-allowed", 405, "Method Not Allowed")


@covers("http.not-found")
def check_not_found(evidence: Evidence) -> Iterator[HttpFailure]:
    """http.not-found: an unknown path under the API returns 404."""
    yield from _status(evidence, "http.not-found", 404, "Not Found")


@covers("http.content-type")
def check_content_type(evidence: Evidence) -> Iterator[HttpFailure]:
    """http.content-type: the media type Web API's negotiation picks for this Accept."""
    request = evidence.exchange.request
    accept = request.header("accept")
    expected = expected_media_type(accept, x_requested_with=request.header("x-requested-with"))
    received = media_type_of(evidence.response)
    if received != expected:
        shown = evidence.response.header("content-type") or "no Content-Type"
        why = f"for Accept: {accept}" if accept is not None else "when there is no Accept"
        yield HttpFailure(
            rule="http.content-type",
            expected=f"{expected} {why}",
            received=shown,
            location="Content-Type",
            request=evidence.label,
        )


@covers("http.charset")
def check_charset(evidence: Evidence) -> Iterator[HttpFailure]:
    """http.charset: Content-Type says ``charset=utf-8``."""
    header = evidence.response.header("content-type") or ""
    charset = ""
    for parameter in header.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    if charset != "utf-8":
        yield HttpFailure(
            rule="http.charset",
            expected="charset=utf-8",
            received=header or "no Content-Type",
            location="Content-Type",
            request=evidence.label,
        )


@covers("http.allow-header")
def check_allow_header(evidence: Evidence) -> Iterator[HttpFailure]:
    """http.allow-header: a 405 says ``Allow: POST``, exactly the allowed methods."""
    values = evidence.response.header_values("allow")
    methods = {m.strip().upper() for value in values for m in value.split(",") if m.strip()}
    if methods != {"POST"}:
        received = "Allow: " + ", ".join(values) if values else "no Allow header"
        yield HttpFailure(
            rule="http.allow-header",
            expected="Allow: POST",
            received=received,
            location="Allow",
            request=evidence.label,
        )


@covers("http.error-body")
def check_error_body(evidence: Evidence) -> Iterator[HttpFailure]:
    """http.error-body: an HttpError in the negotiated format (``{"Message": ...}`` or
    ``<Error><Message>...</Message></Error>``)."""
    media_type = media_type_of(evidence.response)
    if media_type in JSON_MEDIA_TYPES:
        problem, expected = _json_error_problem(evidence), '{"Message": "..."}'
    elif media_type in XML_MEDIA_TYPES:
        problem, expected = _xml_error_problem(evidence), "<Error><Message>...</Message></Error>"
    else:
        problem, expected = f"a {media_type or 'untyped'} body", "an HttpError in JSON or XML"
    if problem:
        yield HttpFailure(
            rule="http.error-body",
            expected=expected,
            received=problem,
            location="body",
            request=evidence.label,
        )


def _json_error_problem(evidence: Evidence) -> str:
    try:
        document = parse_json(evidence.response.body, max_depth=evidence.suite.settings.max_depth)
    except JsonSyntaxError as error:
        return f"not JSON: {error}"
    if not isinstance(document, JsonObject):
        return "not a JSON object"
    members = dict(document)
    if not isinstance(members.get("Message"), str):
        return f"no string Message member (members: {list(members)})"
    unknown = sorted(set(members) - _HTTP_ERROR_KEYS)
    return f"unknown members {unknown}" if unknown else ""


def _xml_error_problem(evidence: Evidence) -> str:
    try:
        root = parse_xml(evidence.response.body)
    except XmlSyntaxError as error:
        return f"not XML: {error}"
    if root.tag != "Error":
        return f"root element {root.tag!r}"
    children = [child for child in root if isinstance(child.tag, str)]
    tags = [str(child.tag) for child in children]
    if "Message" not in tags or len(children[tags.index("Message")]):
        return f"no <Message> text element (children: {tags})"
    unknown = sorted(set(tags) - _HTTP_ERROR_KEYS)
    return f"unknown elements {unknown}" if unknown else ""
