"""The HTML report (``--html PATH``): one self-contained file a QA engineer hands to a developer.

The page has a header with the terminal's verdict, then every rule (failed first, then not
run, then passed) with its failures grouped by cause - each shown failure with what was
received against what the contract wants, side by side, and the body around it with the
offending part marked - then the requests sent.

The file fetches nothing: the CSS is inline, there is no script (the status filter is CSS),
and a Content-Security-Policy forbids every load, so it works offline and a text that slips
through unescaped still could not run or call out. Every text comes from the report, which
the runner redacted, and much of it from an untrusted target: each goes through
:func:`html.escape` exactly once, in :func:`_e` or :func:`_code`.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path

# The verdict reads as on the terminal.
from conformance.output import verdict
from conformance.report import (
    EXIT_COULD_NOT_RUN,
    EXIT_OK,
    EXIT_VIOLATIONS,
    FAILED,
    NOT_RUN,
    PASSED,
    FailureGroup,
    Report,
    RequestLog,
    RuleOutcome,
    ShownFailure,
)

__all__ = ["render_html", "write_html"]

_ORDER = (FAILED, NOT_RUN, PASSED)
_BADGE = {FAILED: "FAIL", NOT_RUN: "NOT RUN", PASSED: "PASS"}
_EXIT_MEANING = {
    EXIT_OK: "conformant",
    EXIT_VIOLATIONS: "violations found",
    EXIT_COULD_NOT_RUN: "could not run",
}
# The verdict's first words pick its colour; the words themselves are the terminal's.
_TONES = {
    "COULD NOT RUN": "bad",
    "NOT CONFORMANT": "bad",
    "NOT PROVEN": "warn",
    "CONFORMANT": "good",
}
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'"
_CSS = """
:root { color-scheme: light; --fg: #1b1f24; --muted: #4d5560; --line: #cfd5dc; --panel: #f4f6f8;
  --bad: #a3161c; --good: #17663a; --warn: #7a4a00; --link: #0b57d0;
  --mono: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 16px/1.5 system-ui, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 76rem; margin: 0 auto; padding: 1.5rem 1.5rem 4rem; }
h1 { font-size: 1.6rem; margin: 0 0 .75rem; } h3 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
h2 { font-size: 1.3rem; margin: 2.25rem 0 .75rem; border-bottom: 2px solid var(--line); }
h4 { font-size: 1.05rem; margin: 0; } h5 { font-size: 1rem; margin: 1rem 0 .25rem; }
h6 { font-size: .95rem; margin: 0 0 .5rem; } a, summary { color: var(--link); }
code, pre, .mono, .versus td { font-family: var(--mono); font-size: .9em; }
:focus-visible { outline: 3px solid var(--link); outline-offset: 2px; }
.verdict { font-size: 1.2rem; font-weight: 700; margin: 0 0 1rem; padding: .75rem 1rem;
  border-left: .5rem solid var(--muted); background: var(--panel); }
.bad { --tone: var(--bad); --tint: #fdeeee; } .warn { --tone: var(--warn); --tint: #fdf3e1; }
.good { --tone: var(--good); --tint: #e9f6ee; }
.verdict:not(.neutral) { color: var(--tone); border-color: var(--tone); background: var(--tint); }
.facts { display: flex; flex-wrap: wrap; gap: .5rem 2.5rem; margin: 0; }
.facts dt { color: var(--muted); font-size: .85rem; }
.facts dd { margin: 0; font-weight: 600; white-space: nowrap; font-size: 1.1rem; }
.filters { border: 1px solid var(--line); border-radius: .25rem; padding: .5rem 1rem; }
.filters label { margin-right: 1.5rem; white-space: nowrap; }
body:has(#show-failed:not(:checked)) #rules-failed,
body:has(#show-not-run:not(:checked)) #rules-not-run,
body:has(#show-passed:not(:checked)) #rules-passed { display: none; }
.rule { border: 1px solid var(--line); border-left: .4rem solid var(--bad);
  border-radius: .25rem; padding: .75rem 1rem; margin: .75rem 0; }
.rule > p, .group > p, .evidence, .jump { margin: .4rem 0; }
.badge { display: inline-block; min-width: 4.8rem; margin-right: .5rem; padding: .05rem .4rem;
  border-radius: .25rem; color: #fff; background: #575d66; font-size: .8rem;
  text-align: center; vertical-align: .1em; letter-spacing: .03em; }
.badge.failed { background: var(--bad); } .badge.passed { background: var(--good); }
.muted, .more, caption, figcaption { color: var(--muted); }
.group { border-top: 1px solid var(--line); margin-top: .75rem; }
.failure { background: var(--panel); border-radius: 4px; padding: .75rem 1rem; margin: .75rem 0; }
table { border-collapse: collapse; width: 100%; } caption { text-align: left; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem;
  border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
thead th { background: var(--panel); white-space: nowrap; overflow-wrap: normal; }
.versus { table-layout: fixed; background: #fff; }
.versus td.received { border-left: 4px solid var(--bad); }
.versus td.contract { border-left: 4px solid var(--good); }
figure { margin: .6rem 0 0; } figcaption { font-size: .85rem; }
pre.excerpt { white-space: pre-wrap; overflow-wrap: anywhere; background: #fff; margin: .2rem 0 0;
  border: 1px solid var(--line); border-radius: .25rem; padding: .5rem .75rem; }
mark { background: #ffd43b; color: #000; outline: 2px solid #9c6f00; border-radius: 2px; }
.table-wrap { overflow-x: auto; } td.nowrap, .requests summary { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.rule-table td:nth-child(2), .rule-table .muted, .rule-table summary { white-space: nowrap; }
summary { cursor: pointer; } details ul { margin: .25rem 0; }
"""


def write_html(report: Report, path: Path) -> None:
    """Write :func:`render_html` of ``report`` to ``path`` (UTF-8), creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")


def render_html(report: Report) -> str:
    """The whole report as one HTML document that loads nothing else."""
    parts = [_header(report)]
    if report.fatal is None and not report.dry_run:
        # As on the terminal: a run that could not run or sent nothing judged no rule.
        parts += [_filters(), _rules(report)]
    parts += [_requests(report), _not_sent(report)]
    return _page(f"Conformance of {report.base_url}", "\n".join(parts))


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _code(text: str) -> str:
    return f"<code>{_e(text or '-')}</code>"


def _slug(status: str) -> str:
    return status.replace(" ", "-")


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # An empty icon: without one a browser asks the network for /favicon.ico.
        '<link rel="icon" href="data:,">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _header(report: Report) -> str:
    line = verdict(report)
    tone = next((tone for words, tone in _TONES.items() if line.startswith(words)), "neutral")
    return (
        f"<header>\n<h1>Conformance of {_code(report.base_url)}</h1>\n"
        f'<p class="verdict {tone}" id="verdict">{_e(line)}</p>\n'
        f'<dl class="facts">{_facts(report)}</dl>\n{_jump(report)}{_notes(report)}</header>'
    )


def _notes(report: Report) -> str:
    if not report.notes:
        return ""
    items = "".join(f"<li>{_e(note)}</li>" for note in report.notes)
    return (
        f'\n<section aria-label="Notes"><h2>Notes (not violations)</h2><ul>{items}</ul></section>\n'
    )


def _facts(report: Report) -> str:
    counts = {status: sum(o.status == status for o in report.outcomes) for status in _ORDER}
    code = report.exit_code
    facts = [
        ("Failed", counts[FAILED]),
        ("Passed", counts[PASSED]),
        ("Not run", counts[NOT_RUN]),
        ("POSTs sent", report.posts_sent),
        ("Run time", f"{report.seconds:.1f} s"),
        ("Exit code", f"{code} ({_EXIT_MEANING.get(code, 'unknown')})"),
        ("Mode", _mode(report)),
        ("Written", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
    ]
    return "".join(f"<div><dt>{_e(name)}</dt><dd>{_e(value)}</dd></div>" for name, value in facts)


def _mode(report: Report) -> str:
    words = ["dry run (nothing sent)"] * report.dry_run + ["--strict"] * report.strict
    return ", ".join(words) or "normal"


def _jump(report: Report) -> str:
    failed = [o for o in report.outcomes if o.status == FAILED]
    if not failed:
        return ""
    links = ", ".join(f'<a href="#{_e(_anchor(o))}">{_e(o.rule)}</a>' for o in failed)
    return f'<p class="jump">Failed rules: {links}</p>\n'


def _anchor(outcome: RuleOutcome) -> str:
    return f"rule-{outcome.rule}"


def _filters() -> str:
    boxes = "".join(
        f'<input type="checkbox" id="show-{_slug(status)}" checked>'
        f'<label for="show-{_slug(status)}"> {_e(status.capitalize())}</label>'
        for status in _ORDER
    )
    return (
        '<h2 id="rules">Rules</h2>\n<fieldset class="filters">'
        f"<legend>Show the rules that</legend>{boxes}</fieldset>"
    )


def _rules(report: Report) -> str:
    parts = []
    for status in _ORDER:
        members = [outcome for outcome in report.outcomes if outcome.status == status]
        if not members:
            continue
        # A failed rule needs room for its failures: a card each; the others a table row.
        body = (
            "\n".join(_failed_rule(outcome) for outcome in members)
            if status == FAILED
            else _rule_table(members)
        )
        strict = " - each a failure with --strict" if status == NOT_RUN and report.strict else ""
        parts.append(
            f'<section class="status {_slug(status)}" id="rules-{_slug(status)}">'
            f"<h3>{_e(status.capitalize())} ({len(members)}){strict}</h3>\n{body}</section>"
        )
    return "\n".join(parts)


def _badge(status: str) -> str:
    return f'<span class="badge {_slug(status)}">{_BADGE.get(status, _e(status))}</span>'


def _failed_rule(outcome: RuleOutcome) -> str:
    count, causes = len(outcome.failures), len(outcome.groups)
    return "\n".join(
        [
            f'<section class="rule failed" id="{_e(_anchor(outcome))}">',
            f"<h4>{_badge(outcome.status)}{_code(outcome.rule)} {_e(outcome.title)}</h4>",
            f"<p>{_plural(count, 'failure')}, {_plural(causes, 'cause')}.</p>",
            *(_group(group) for group in outcome.groups),
            f'<div class="evidence">{_evidence(outcome, "Evidence: ")}</div>',
            "</section>",
        ]
    )


def _rule_table(outcomes: list[RuleOutcome]) -> str:
    why = any(outcome.reasons for outcome in outcomes)
    rows = "\n".join(
        f'<tr id="{_e(_anchor(outcome))}"><td>{_badge(outcome.status)}</td>'
        f"<td>{_code(outcome.rule)}</td><td>{_e(outcome.title)}</td>"
        + (f"<td>{_e('; '.join(outcome.reasons))}</td>" if why else "")
        + f"<td>{_evidence(outcome)}</td></tr>"
        for outcome in outcomes
    )
    names = ["Status", "Rule", "Requires", *(["Not run because"] * why), "Evidence"]
    head = "".join(f'<th scope="col">{name}</th>' for name in names)
    return (
        f'<table class="rule-table"><thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n'
        "</tbody></table>"
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _list(items: list[str] | tuple[str, ...]) -> str:
    return '<ul class="mono">' + "".join(f"<li>{_e(item)}</li>" for item in items) + "</ul>"


def _evidence(outcome: RuleOutcome, label: str = "") -> str:
    if not outcome.evidence:
        return f'<span class="muted">{label}no response recorded</span>'
    summary = f"{label}{_plural(len(outcome.evidence), 'response')} looked at"
    return f"<details><summary>{summary}</summary>{_list(outcome.evidence)}</details>"


def _group(group: FailureGroup) -> str:
    where = _plural(len(group.requests), "request")
    parts = [
        '<div class="group">',
        f"<h5>Cause: {_code(group.pattern)}</h5>",
        f"<p>Contract: {_code(group.expected)} &middot; {_plural(group.count, 'failure')}"
        f" in {where}:</p>{_list(group.requests)}",
        *(_shown(shown) for shown in group.shown),
    ]
    if group.count > len(group.shown):
        more = group.count - len(group.shown)
        parts.append(f'<p class="more">… and {more} more of this cause</p>')
    parts.append("</div>")
    return "\n".join(parts)


def _shown(shown: ShownFailure) -> str:
    failure = shown.failure
    place = f" (line {shown.line}, column {shown.column})" if shown.line is not None else ""
    return (
        f'<article class="failure">\n<h6>At {_code(failure.location)}{_e(place)}</h6>\n'
        f'<p>Request: <span class="mono">{_e(failure.request or "-")}</span></p>\n'
        '<table class="versus"><thead><tr><th scope="col">Received</th>'
        '<th scope="col">Contract</th></tr></thead>\n'
        f'<tbody><tr><td class="received">{_e(failure.received)}</td>'
        f'<td class="contract">{_e(failure.expected)}</td></tr></tbody></table>\n'
        f"{_excerpt(shown.excerpt)}</article>"
    )


def _excerpt(excerpt: tuple[str, str, str]) -> str:
    before, at, after = excerpt
    if not any(excerpt):
        return ""  # a header or status failure: no body place to show
    return (
        "<figure><figcaption>The response body there, the failing part marked:</figcaption>"
        f'<pre class="excerpt">{_e(before)}<mark>{_e(at)}</mark>{_e(after)}</pre></figure>\n'
    )


def _requests(report: Report) -> str:
    if not report.requests:
        return ""
    heading = "Requests that would be sent" if report.dry_run else "Requests sent"
    head = "".join(
        f'<th scope="col">{name}</th>'
        for name in ("#", "Method", "URL", "Status", "Media type", "Bytes", "ms", "Outcome")
    )
    rows = "\n".join(
        _request_row(number, entry, report.base_url)
        for number, entry in enumerate(report.requests, 1)
    )
    return (
        f'<h2 id="requests">{heading}</h2>\n<div class="table-wrap"><table class="requests">'
        f"<caption>{_plural(len(report.requests), 'request')}; URLs on the target are shown"
        " from its root; open one for the headers sent (secrets masked)</caption>\n"
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody></table></div>"
    )


def _request_row(number: int, entry: RequestLog, base_url: str) -> str:
    cells = [
        f'<td class="num">{number}</td>',
        f'<td class="nowrap">{_code(entry.method)}</td>',
        f"<td>{_headers(entry, base_url)}</td>",
        f'<td class="num">{_e(_or_dash(entry.status))}</td>',
        f'<td class="nowrap">{_e(entry.media_type or "-")}</td>',
        f'<td class="num">{_e(_or_dash(entry.size, "{:,}"))}</td>',
        f'<td class="num">{_e(_or_dash(entry.milliseconds, "{:.1f}"))}</td>',
        f"<td>{_e(entry.outcome)}</td>",
    ]
    return f"<tr>{''.join(cells)}</tr>"


def _or_dash(value: float | None, form: str = "{}") -> str:
    return "-" if value is None else form.format(value)


def _headers(entry: RequestLog, base_url: str) -> str:
    lines = "".join(
        f"<li><code>{_e(name)}: {_e(value)}</code></li>" for name, value in entry.headers
    )
    shown = lines or '<li class="muted">no headers of its own</li>'
    url = entry.url or entry.label
    # The target's root is in the page's title: repeating it on every row only hides the path.
    path = url[len(base_url) :] if url.startswith(base_url + "/") else url
    summary = f'<summary class="mono" title="{_e(url)}">{_e(path)}</summary>'
    return f"<details>{summary}<ul>{shown}</ul></details>"


def _not_sent(report: Report) -> str:
    if not report.left_out:
        return ""
    by_reason: dict[str, list[str]] = {}
    for entry in report.left_out:
        by_reason.setdefault(entry.outcome, []).append(entry.label)
    rows = "\n".join(
        f"<tr><td>{_e(reason)}</td><td><details><summary>{_plural(len(labels), 'request')}"
        f"</summary>{_list(labels)}</details></td></tr>"
        for reason, labels in by_reason.items()
    )
    return (
        '<h2 id="not-sent">Not sent</h2>\n<div class="table-wrap"><table>'
        '<thead><tr><th scope="col">Reason</th><th scope="col">Requests</th></tr></thead>\n'
        f"<tbody>\n{rows}\n</tbody></table></div>"
    )
