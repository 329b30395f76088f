"""Property: model rows and samples written as a page, in either form, read back unchanged."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from contract.compiler.helppage import ModelRow, parse_help_page_html, parse_help_page_text
from tests.contract.helppage.support import html_page, text_page, without_positions

TYPES = [
    "integer",
    "string",
    "boolean",
    "date",
    "globally unique identifier",
    "decimal number",
    "Collection of string",
    "Collection of InvoiceSummary",
    "Dictionary of string [key] and integer [value]",
    "InvoiceSummary",
]
ANNOTATIONS = [
    "Required",
    "Range: inclusive between 1 and 10",
    "Max length: 50",
    "Min length: 1",
    "Data type: EmailAddress",
    "Matching regular expression pattern: ^[a-z]+$",
    "String length: inclusive between 2 and 8",
]
# Sample lines in this alphabet can never look like a heading, a table or media types.
SAMPLE_ALPHABET = "abcxyz0123456789 {}[]\":,.=<>/&'-"

names = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,15}", fullmatch=True)
descriptions = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="|", exclude_categories=["C"]),
    max_size=40,
).map(lambda text: " ".join(text.split()))
rows = st.builds(
    ModelRow,
    name=names,
    description=descriptions,
    type_text=st.sampled_from(TYPES),
    annotations=st.lists(st.sampled_from(ANNOTATIONS), max_size=3).map(tuple),
    line=st.just(0),
)
sample_lines = st.text(alphabet=SAMPLE_ALPHABET, max_size=30)
edge_lines = sample_lines.filter(lambda line: line.strip() != "")
sample_texts = st.builds(
    lambda first, middle, last: "\n".join([first, *middle, last]),
    edge_lines,
    st.lists(sample_lines, max_size=5),
    edge_lines,
)
media_groups = st.sampled_from(
    ["application/json, text/json", "application/xml, text/xml", "text/plain", "image/png"]
)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(rows, min_size=1, max_size=5),
    samples=st.lists(st.tuples(media_groups, sample_texts), min_size=1, max_size=3),
)
def test_rows_and_samples_round_trip_through_text_and_html(
    rows: list[ModelRow], samples: list[tuple[str, str]]
) -> None:
    from_text = parse_help_page_text(text_page(rows, samples), source="generated.txt")
    from_html = parse_help_page_html(html_page(rows, samples), source="generated.html")
    assert without_positions(from_text.uri_parameters) == tuple(rows)
    assert without_positions(from_html) == without_positions(from_text)
    assert [(", ".join(s.media_types), s.text) for s in from_text.response_formats] == samples
