"""The deliberate breaks: each makes the reference violate ONE conformance rule.

Every :class:`Break` names the rule ids (from ``conformance.rules``) a correct suite
reports for it - exactly one, except ``json-spelling`` (see its description). The
expectations assume the suite runs with ``--reset 'POST {base}/__reset'`` (the cross
and state rules need a known state) and without the Schemathesis phase, and that the
suite follows rules.md's "most specific rule" principle:

* body rules (``json.*``/``xml.*``) judge only 200 answers of POST on the route, read in
  the format the Content-Type names;
* ``cross.*`` and ``state.*`` use only bodies that broke no other rule;
* ``http.error-body`` judges only 404/405 answers (a 5xx is ``http.server-error``).

Where a break depends on one of these choices its description says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tests.conformance.zoo import rewrites as rw
from tests.conformance.zoo.mutation import Mutation
from tests.conformance.zoo.variations import VALID_VARIATIONS, VARIATION_MUTATIONS

__all__ = ["BREAKS", "VALID_VARIATIONS", "Break", "mutations_for"]


@dataclass(frozen=True)
class Break:
    """A deliberate contract violation and the rule ids a correct suite reports for it."""

    name: str
    description: str
    expected_rules: frozenset[str]
    mutation: Mutation = field(default_factory=Mutation, repr=False, compare=False)

    @property
    def expected_rule(self) -> str:
        """The single expected rule id; ValueError for a break that expects several."""
        if len(self.expected_rules) != 1:
            raise ValueError(f"break {self.name!r} expects {sorted(self.expected_rules)}")
        return next(iter(self.expected_rules))


def _break(name: str, rules: str | frozenset[str], description: str, mutation: Mutation) -> Break:
    expected = frozenset({rules}) if isinstance(rules, str) else rules
    return Break(name, description, expected, mutation)


_JSON = (
    _break(
        "json-spelling",
        frozenset({"json.member-missing", "json.member-unknown"}),
        "JSON envelope member spelled `Success` (the typo fixed) instead of the contract's "
        "`Sucess`. Not a case-only difference, so json.member-case does not apply: the "
        "contract member is missing AND an unknown member is present - two rules, both "
        "at /Sucess resp. /Success; member order is then not judged.",
        Mutation(json_body=rw.json_rewrite(rw.rename_member("Sucess", "Success"))),
    ),
    _break(
        "json-casing",
        "json.member-case",
        "JSON envelope member `sucess` instead of `Sucess` (camelCase resolver).",
        Mutation(json_body=rw.json_rewrite(rw.rename_member("Sucess", "sucess"))),
    ),
    _break(
        "json-member-order",
        "json.member-order",
        "JSON objects with their members in alphabetical order (XML's order) instead of "
        "declaration order; names and values are all right.",
        Mutation(json_body=rw.json_rewrite(rw.sort_members)),
    ),
    _break(
        "json-type",
        "json.type",
        'JSON `"SendingAttempts":"2"`: the int written as a string.',
        Mutation(json_body=rw.json_rewrite(rw.attempts_as_string)),
    ),
    _break(
        "json-int-range",
        "json.int-range",
        "JSON `ResponseCode` 2147483648, one past Int32.MaxValue.",
        Mutation(json_body=rw.json_rewrite(rw.response_code_overflow)),
    ),
    _break(
        "json-guid-format",
        "json.guid-format",
        "JSON GUIDs in uppercase (`AA122594-...`) instead of lowercase D format.",
        Mutation(json_body=rw.json_rewrite(rw.guids_upper)),
    ),
    _break(
        "json-date-format",
        "json.date-format",
        "JSON dates in Json.NET's default round-trip form (`2025-12-14T19:21:43.1992775+02:00`) "
        "instead of the service's `yyyy-MM-ddTHH:mm:ssZ`.",
        Mutation(json_body=rw.json_rewrite(rw.dates_round_trip)),
    ),
    _break(
        "json-missing-member",
        "json.member-missing",
        "JSON envelope without its `Links` member.",
        Mutation(json_body=rw.json_rewrite(rw.drop_links)),
    ),
    _break(
        "json-extra-member",
        "json.member-unknown",
        "JSON envelope with an extra `Total` member at the end.",
        Mutation(json_body=rw.json_rewrite(rw.add_total)),
    ),
)

_XML = (
    _break(
        "xml-namespace",
        "xml.namespace",
        "XML items (`InvoiceSendingStatusVo` and its members) in the envelope's namespace "
        "instead of the Billing data-contract namespace.",
        Mutation(xml_body=rw.xml_rewrite(rw.items_in_envelope_namespace)),
    ),
    _break(
        "xml-root-name",
        "xml.root",
        "XML root `RestApiResultOfArrayOfInvoiceSendingStatusVo` without the namespaces "
        "digest suffix `8ZwS41wm`.",
        Mutation(xml_body=rw.xml_rewrite(rw.root_without_digest)),
    ),
    _break(
        "xml-member-order",
        "xml.member-order",
        "XML members in declaration order (`Sucess` first) instead of ordinal order.",
        Mutation(xml_body=rw.xml_rewrite(rw.declaration_order)),
    ),
    _break(
        "xml-date-format",
        "xml.value-format",
        "XML `SendingTime` with a space instead of `T` (`2025-12-14 19:21:43.1992775+02:00`). "
        "(Dropping the zone would NOT break anything: xs:dateTime allows no zone.)",
        Mutation(xml_body=rw.xml_rewrite(rw.dates_with_space)),
    ),
    _break(
        "xml-nil",
        "xml.nil",
        'XML `<SendingAttempts i:nil="true" />` on a value-type (int) member.',
        Mutation(xml_body=rw.xml_rewrite(rw.nil_attempts)),
    ),
    _break(
        "xml-missing-member",
        "xml.member-missing",
        "XML envelope without its `<Links>` element.",
        Mutation(xml_body=rw.xml_rewrite(rw.drop_links_element)),
    ),
    _break(
        "xml-extra-member",
        "xml.member-unknown",
        "XML envelope with an extra `<Total>` element (envelope namespace) at the end.",
        Mutation(xml_body=rw.xml_rewrite(rw.add_total_element)),
    ),
    _break(
        "xml-syntax",
        "xml.syntax",
        "XML with a raw `&` in `ResponseMessage`: not well-formed.",
        Mutation(xml_body=rw.raw_ampersand),
    ),
    _break(
        "xml-stray-text",
        "xml.schema",
        "XML with character data (`stray text`) inside `<Data>`, whose content is "
        "element-only: readers that skip text accept it, the XSD does not (the catch-all).",
        Mutation(xml_body=rw.xml_rewrite(rw.stray_text)),
    ),
)

_HTTP = (
    _break(
        "content-type-xml-as-json",
        "http.content-type",
        "A retry asked for XML gets its (correct) XML body labelled "
        "`application/json; charset=utf-8`. Only http.content-type is expected: the suite "
        "must not also report json.syntax for the mislabelled body (judge the body in the "
        "negotiated format, or not at all once the Content-Type is wrong).",
        Mutation(reply=rw.xml_labelled_json),
    ),
    _break(
        "negotiation-ignores-q",
        "http.content-type",
        "Negotiation takes the first Accept entry a formatter can write, ignoring q values "
        "(`application/json;q=0.5, text/xml` gets JSON). The body matches its label.",
        Mutation(negotiate=rw.first_accept_entry),
    ),
    _break(
        "negotiation-no-accept-xml",
        "http.content-type",
        "A request without Accept is answered in XML (Web API answers JSON), errors "
        "included. The body matches its label.",
        Mutation(negotiate=rw.xml_without_accept),
    ),
    _break(
        "text-json-as-application-json",
        "http.content-type",
        "A `text/json` answer (body JSON) labelled `application/json`.",
        Mutation(reply=rw.text_json_labelled_application_json),
    ),
    _break(
        "charset-missing",
        "http.charset",
        "Every Content-Type without `; charset=utf-8`.",
        Mutation(reply=rw.no_charset),
    ),
    _break(
        "post-status-202",
        "http.status-code",
        "A retry answered 202 Accepted (with the correct body) instead of 200.",
        Mutation(reply=rw.retry_accepted),
    ),
    _break(
        "server-error",
        "http.server-error",
        'A retry answered 500 with Web API\'s HttpError `{"Message":"An error has occurred."}` '
        "in the negotiated format (so http.error-body holds even if the suite judges 500s).",
        Mutation(reply=rw.retry_crashes),
    ),
    _break(
        "method-get-allowed",
        "http.method-not-allowed",
        "GET on the route answers 200 with the currently failed invoices (no state change); "
        "other methods still get 405 with `Allow: POST`.",
        Mutation(preview_methods=frozenset({"GET"})),
    ),
    _break(
        "method-no-allow-header",
        "http.allow-header",
        "405 answers without the `Allow` header (body still an HttpError).",
        Mutation(reply=rw.no_allow),
    ),
    _break(
        "not-found-html",
        "http.error-body",
        "Unknown paths get 404 with IIS's HTML error page (`text/html`) instead of an "
        "HttpError. Only http.error-body is expected: its definition (`not an HttpError in "
        "the negotiated format`) covers the format, so the suite must not also report "
        "http.content-type for this error answer.",
        Mutation(reply=rw.html_not_found),
    ),
    _break(
        "not-found-200",
        "http.not-found",
        "Unknown paths answered 200 (with the HttpError body) instead of 404.",
        Mutation(reply=rw.not_found_ok),
    ),
)

_STATE = (
    _break(
        "json-xml-disagree",
        "cross.data-mismatch",
        "XML answers carry `External system rejected the invoice` as the failed items' "
        "`Reason` where JSON carries `External system timeout (> 30 s)`: the first call "
        "after a reset differs between the formats, each body valid on its own.",
        Mutation(values=rw.xml_reason_differs),
    ),
    _break(
        "attempts-decrease",
        "state.attempts-decreased",
        "From the second retry after a reset on, every item reports two attempts fewer "
        "than it has (the first call is untouched, so JSON and XML still agree).",
        Mutation(values=rw.attempts_down),
    ),
    _break(
        "sent-retried",
        "state.sent-retried",
        "A retry also re-sends (and lists, as Sent) the invoices the previous call sent.",
        Mutation(retry_recently_sent=True),
    ),
    _break(
        "not-failed-returned",
        "state.not-failed-returned",
        "From the second retry after a reset on, the answer also lists an invoice "
        "(0f1e2d3c-...) that was never failed.",
        Mutation(values=rw.never_failed_listed),
    ),
)

BREAKS: dict[str, Break] = {b.name: b for b in (*_JSON, *_XML, *_HTTP, *_STATE)}
"""Every deliberate break by name."""


def mutations_for(
    *, breaks: frozenset[str] = frozenset(), variations: frozenset[str] = frozenset()
) -> Sequence[Mutation]:
    """The mutations of the named breaks and variations, in sorted name order.

    Unknown names raise ``ValueError`` listing the known ones.
    """
    unknown_breaks = sorted(breaks - BREAKS.keys())
    if unknown_breaks:
        raise ValueError(f"unknown breaks {unknown_breaks}; known: {sorted(BREAKS)}")
    unknown_variations = sorted(variations - VALID_VARIATIONS.keys())
    if unknown_variations:
        raise ValueError(
            f"unknown variations {unknown_variations}; known: {sorted(VALID_VARIATIONS)}"
        )
    chosen = [BREAKS[name].mutation for name in sorted(breaks)]
    return chosen + [VARIATION_MUTATIONS[name] for name in sorted(variations)]
