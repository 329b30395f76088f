"""Rendering a diff: ``text`` for a terminal, ``json`` for tools, ``markdown`` for a
pull-request comment (a table per client); and the gate's exit code."""

from __future__ import annotations

import json

from contract.compiler.diff.model import Change, Client, Level, worst

__all__ = ["FORMATS", "exit_code", "render"]

FORMATS = ("text", "json", "markdown")

EXIT_COMPATIBLE = 0
EXIT_BREAKING = 1


def exit_code(changes: list[Change]) -> int:
    """0 when every change is compatible for both clients, 1 when one breaks or loses data."""
    return EXIT_COMPATIBLE if _overall(changes) is Level.COMPATIBLE else EXIT_BREAKING


def _overall(changes: list[Change]) -> Level:
    return worst([change.level for change in changes])


def _client_level(changes: list[Change], client: Client) -> Level:
    return worst([change.verdict(client).level for change in changes])


def render(changes: list[Change], output_format: str) -> str:
    """The report in ``output_format`` (one of :data:`FORMATS`), ending in a newline."""
    renderers = {"text": _text, "json": _json, "markdown": _markdown}
    return renderers[output_format](changes)


def _span(change: Change) -> str:
    if change.old and change.new:
        return f"{change.old} -> {change.new}"
    return f"+ {change.new}" if change.new else f"- {change.old}"


def _text(changes: list[Change]) -> str:
    lines = []
    for change in changes:
        lines.append(f"{change.kind.value} {change.where}: {_span(change)}")
        for client in Client:
            verdict = change.verdict(client)
            lines.append(f"  {client.title}: {verdict.level.value}: {verdict.reason}")
    summary = ", ".join(
        f"{client.title} {_client_level(changes, client).value}" for client in Client
    )
    lines.append(f"{len(changes)} change(s); {summary}")
    return "\n".join(lines) + "\n"


def _json(changes: list[Change]) -> str:
    document = {
        "changes": [
            {
                "kind": change.kind.value,
                "where": change.where,
                "old": change.old,
                "new": change.new,
                **{
                    client.value: {
                        "level": change.verdict(client).level.value,
                        "reason": change.verdict(client).reason,
                    }
                    for client in Client
                },
            }
            for change in changes
        ],
        **{client.value: _client_level(changes, client).value for client in Client},
        "level": _overall(changes).value,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or " "


def _markdown(changes: list[Change]) -> str:
    lines = [f"## Contract diff: {_overall(changes).value}", ""]
    for client in Client:
        lines += [f"### {client.title} client: {_client_level(changes, client).value}", ""]
        if not changes:
            lines += ["No changes.", ""]
            continue
        lines += ["| Class | Change | Where | Old → new | Reason |", "|---|---|---|---|---|"]
        for change in sorted(changes, key=lambda c: -c.verdict(client).level.rank):
            verdict = change.verdict(client)
            cells = (
                verdict.level.value,
                change.kind.value,
                change.where,
                _span(change),
                verdict.reason,
            )
            lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
        lines.append("")
    return "\n".join(lines)
