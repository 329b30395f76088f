"""The points where a zoo entry may change the reference's behaviour, and body rewriting tools.

The reference runs one fixed pipeline per request: negotiate, change state, build the
wire values, serialize them, build the reply. A :class:`Mutation` names replacements for
some of those steps; the reference applies the mutations of the enabled breaks and
variations in order, so no break is a code path inside the reference itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from lxml import etree

__all__ = [
    "BodyHook",
    "Call",
    "JsonPairs",
    "Mutation",
    "NegotiateHook",
    "Reply",
    "ReplyHook",
    "ValuesHook",
    "dump_json",
    "dump_xml",
    "load_json",
    "load_xml",
]


@dataclass(frozen=True)
class Call:
    """One request as the reference saw it.

    ``number`` counts the retries since the last reset (1 for the first POST after a
    reset) and is 0 for anything that is not a retry; ``media_type`` is the negotiated one.
    """

    method: str
    path: str
    accept: str | None
    media_type: str
    number: int = 0
    accept_encoding: str = ""

    @property
    def is_xml(self) -> bool:
        """Whether the negotiated media type is an XML one."""
        return self.media_type.endswith("/xml")


@dataclass(frozen=True)
class Reply:
    """A complete response: status code, header pairs and the body bytes.

    ``chunked`` sends the body without Content-Length, so the server chunks it.
    """

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    chunked: bool = False

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def with_header(self, name: str, value: str | None) -> Reply:
        """A copy where header ``name`` is replaced by ``value`` (removed when None)."""
        kept = tuple((k, v) for k, v in self.headers if k.lower() != name.lower())
        added = ((name, value),) if value is not None else ()
        return replace(self, headers=kept + added)


ValuesHook = Callable[[dict[str, Any], Call], dict[str, Any]]
BodyHook = Callable[[bytes, dict[str, Any], Call], bytes]
ReplyHook = Callable[[Reply, Call], Reply]
NegotiateHook = Callable[[str | None, str | None], str | None]


@dataclass(frozen=True)
class Mutation:
    """Replacements for steps of the reference's pipeline; every field is optional.

    * ``negotiate(accept, x_requested_with)``: a media type overriding Web API's choice,
      or None to keep it;
    * ``retry_recently_sent``: the retry also picks the invoices the previous call sent;
    * ``preview_methods``: methods answered 200 with the current failed invoices
      (no state change) instead of 405;
    * ``values``: rewrites the wire values of a retry before they are serialized;
    * ``json_body`` / ``xml_body``: rewrite a retry's serialized body (given the values
      it was written from);
    * ``reply``: rewrites any final reply (status, headers, body).
    """

    negotiate: NegotiateHook | None = None
    retry_recently_sent: bool = False
    preview_methods: frozenset[str] = field(default_factory=frozenset)
    values: ValuesHook | None = None
    json_body: BodyHook | None = None
    xml_body: BodyHook | None = None
    reply: ReplyHook | None = None


class JsonPairs(list[tuple[str, Any]]):
    """A JSON object as its members in order, so rewrites keep (or choose) member order."""


def load_json(body: bytes) -> Any:
    """Parse a JSON body; objects become :class:`JsonPairs`."""
    return json.loads(body, object_pairs_hook=JsonPairs)


def dump_json(document: Any, *, indent: int | None = None, ascii_only: bool = False) -> bytes:
    """Write a :func:`load_json` tree back: compact like Json.NET unless ``indent`` is given;
    ``ascii_only`` escapes non-ASCII characters as ``\\uXXXX``."""
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(
        _plain(document), ensure_ascii=ascii_only, indent=indent, separators=separators
    )
    return text.encode("utf-8")


def _plain(document: Any) -> Any:
    # json.dumps writes a list subclass as an array: turn pair lists back into dicts
    # (Python dicts keep insertion order, so member order survives).
    if isinstance(document, JsonPairs):
        return {key: _plain(value) for key, value in document}
    if isinstance(document, list):
        return [_plain(item) for item in document]
    return document


def load_xml(body: bytes) -> etree._Element:
    """Parse an XML body the reference wrote (trusted input: no DTD, no network)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(body, parser)


def dump_xml(root: etree._Element) -> bytes:
    """Write an element tree back as UTF-8 without an XML declaration."""
    return etree.tostring(root, encoding="utf-8", xml_declaration=False)
