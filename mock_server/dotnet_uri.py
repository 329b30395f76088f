"""The request URI as Web API's 404 message names it: .NET Framework's ``Uri.ToString()``.

Web API writes ``request.RequestUri`` into "No HTTP resource was found that matches the
request URI '…'". Under IIS that ``Uri`` is ASP.NET's ``HttpRequest.Url``, built as
``new Uri(protocol + "://" + SERVER_NAME + ":" + local port + Path + "?" + query)``
(referencesource ``System.Web/HttpRequest.cs``), where ``Path`` is the path IIS has
already percent-decoded and the query is the raw one. :func:`request_uri_text` builds
that string from a WSGI request (PATH_INFO is decoded the same way), and
:func:`uri_to_string` formats it as ``Uri.ToString()`` does (referencesource
``System/URI.cs`` ``ReCreateParts``/``GetCanonicalPath`` with ``V1ToStringUnescape``,
``UriHelper.UnescapeString``, ``IriHelper.CheckIriUnicodeRange``; .NET 4.5+, where IRI
parsing is always on):

* scheme and host in lower case, the scheme's default port dropped, an empty path ``/``;
* the path's ``\\`` written ``/`` and its ``.`` and ``..`` segments removed;
* in path, query and fragment, a percent escape is decoded, except ``%25`` itself, the
  reserved characters ``:/?#[]@!$&'()*+,;=``, ``\\``, control characters (U+0000-U+001F,
  U+007F-U+009F), and UTF-8 sequences of characters outside the IRI ranges (RFC 3987;
  private-use characters only in the query); kept escapes keep their spelling;
* a ``%`` that starts no valid escape is written ``%25``; bytes of broken UTF-8
  sequences are written as escapes in upper-case hex;
* everything else (unescaped characters) is copied as it is, so ``Uri.ToString()`` is
  not a valid URI: ``%20`` comes out as a space.

An application targeting .NET Framework 4.7.2 or later uses the RFC 3986 reserved set
above; an older target (AppContext switch ``DontEnableStrictRFC3986ReservedCharacterSets``
on) uses RFC 2396's ``;/?@&=+$,`` instead, so it also decodes ``:[]!'()*``, and drops
bidirectional formatting characters: pass ``legacy=True`` for that.
"""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["request_uri_text", "uri_to_string"]

_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}
_RFC3986_RESERVED = frozenset(";/?:@&=+$,#[]!'()*")
_RFC2396_RESERVED = frozenset(";/?@&=+$,")  # ':' is left out on purpose, as .NET does
_ALWAYS_UNSAFE = frozenset("%\\#")
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e")
# Uri's constructor trims these from both ends of the string it is given.
_TRIMMED = " \t\r\n"
_HEX = "0123456789ABCDEF"


def request_uri_text(*, scheme: str, host: str, server_port: str, path: str, query: str) -> str:
    """The string ASP.NET hands to ``new Uri(...)`` for a request: host from the Host
    header (without its port), the port the server listens on, the decoded path and the
    raw query (no ``?`` when it is empty)."""
    name = _host_name(host)
    return f"{scheme}://{name}:{server_port}{path}" + (f"?{query}" if query else "")


def _host_name(host: str) -> str:
    if host.startswith("["):  # IPv6: [::1]:5000
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def uri_to_string(text: str, *, legacy: bool = False) -> str:
    """``new Uri(text).ToString()`` for an absolute URI ``scheme://authority/…``."""
    text = text.strip(_TRIMMED)
    scheme, separator, rest = text.partition("://")
    if not separator:
        raise ValueError(f"not an absolute URI: {text!r}")
    scheme = scheme.lower()
    end = _end_of(rest, "/\\?#")
    authority, rest = rest[:end], rest[end:]
    path_end = _end_of(rest, "?#")
    path, rest = rest[:path_end], rest[path_end:]
    query, hash_mark, fragment = rest.partition("#")
    path = _remove_dot_segments(path.replace("\\", "/") or "/")
    parts = [
        f"{scheme}://{_authority(scheme, authority)}",
        _unescape(path, reserved=frozenset("?#"), is_query=False, legacy=legacy),
        _unescape(query, reserved=frozenset("#"), is_query=True, legacy=legacy),
    ]
    if hash_mark:
        parts.append("#" + _unescape(fragment, reserved=frozenset("#"), is_query=False,
                                     legacy=legacy))  # fmt: skip
    return "".join(parts)


def _end_of(text: str, delimiters: str) -> int:
    return next((i for i, char in enumerate(text) if char in delimiters), len(text))


def _authority(scheme: str, authority: str) -> str:
    """Lower-case host; the scheme's default port, and an empty port, are dropped."""
    user, at, host_port = authority.rpartition("@")
    host, port = host_port, ""
    closing = host_port.rfind("]")
    colon = host_port.rfind(":")
    if colon > closing:
        host, port = host_port[:colon], host_port[colon + 1 :]
    port = port.lstrip("0") or ("0" if port else "")
    shown = "" if port in ("", _DEFAULT_PORTS.get(scheme)) else f":{port}"
    return f"{user}{at}{host.lower()}{shown}"


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, as ``Uri``'s path compression does for http(s)."""
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    return "/".join(output) or "/"


def _not_safe(char: str, *, legacy: bool) -> bool:
    """``UriHelper.IsNotSafeForUnescape``: characters an escape must keep."""
    code = ord(char)
    if code <= 0x1F or 0x7F <= code <= 0x9F:
        return True
    reserved = _RFC2396_RESERVED if legacy else _RFC3986_RESERVED
    return char in reserved or char in _ALWAYS_UNSAFE


def _in_iri_range(code: int, *, is_query: bool) -> bool:
    """``IriHelper.CheckIriUnicodeRange``: characters an IRI may hold unescaped."""
    if code <= 0xFFFF:
        return (
            0xA0 <= code <= 0xD7FF
            or 0xF900 <= code <= 0xFDCF
            or 0xFDF0 <= code <= 0xFFEF
            or (is_query and 0xE000 <= code <= 0xF8FF)
        )
    if (code & 0xFFFF) >= 0xFFFE or 0xE0000 <= code <= 0xE0FFF:
        return False
    return is_query or code < 0xF0000


def _escaped(data: bytes) -> str:
    return "".join(f"%{_HEX[byte >> 4]}{_HEX[byte & 0xF]}" for byte in data)


def _hex_byte(text: str, index: int) -> int | None:
    """The byte ``%XY`` at ``index`` spells, or None when there is no valid escape."""
    digits = text[index + 1 : index + 3]
    if len(digits) != 2 or not all(c in "0123456789abcdefABCDEF" for c in digits):
        return None
    return int(digits, 16)


def _unescape(text: str, *, reserved: frozenset[str], is_query: bool, legacy: bool) -> str:
    """One component through ``UnescapeString`` in ``EscapeUnescape | V1ToStringFlag`` mode."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "%":
            out.append(_raw_character(char, is_query=is_query))
            index += 1
            continue
        byte = _hex_byte(text, index)
        if byte is None:
            out.append("%25")  # a stray '%' is escaped, the characters after it stay
            index += 1
        elif _kept_escaped(byte, reserved=reserved, is_query=is_query, legacy=legacy):
            out.append(text[index : index + 3])
            index += 3
        elif byte <= 0x7F:
            out.append(chr(byte))
            index += 3
        else:
            data, index = _utf8_run(text, index)
            out.extend(_decode_utf8(data, is_query=is_query, legacy=legacy))
    return "".join(out)


def _raw_character(char: str, *, is_query: bool) -> str:
    # IRI parsing escapes, when the Uri is built, characters outside the IRI ranges.
    if ord(char) < 0x80 or _in_iri_range(ord(char), is_query=is_query):
        return char
    return _escaped(char.encode("utf-8", "replace"))


def _kept_escaped(byte: int, *, reserved: frozenset[str], is_query: bool, legacy: bool) -> bool:
    char = chr(byte)
    if char == "%" or char in reserved:
        return True
    # V1ToStringFlag skips the safety test, but IRI parsing applies it again (<= U+009F)
    # and tests a lead byte above 0x9F as if it were a character.
    if byte <= 0x9F:
        return _not_safe(char, legacy=legacy)
    return not _in_iri_range(byte, is_query=is_query)


def _utf8_run(text: str, index: int) -> tuple[bytes, int]:
    """The escaped bytes from ``index`` on: a lead byte then any bytes >= 0x80 after it."""
    data = bytearray()
    while index < len(text) and text[index] == "%":
        byte = _hex_byte(text, index)
        if byte is None or (data and byte < 0x80):
            break
        data.append(byte)
        index += 3
    return bytes(data), index


def _decode_utf8(data: bytes, *, is_query: bool, legacy: bool) -> Iterator[str]:
    """``MatchUTF8Sequence``: decoded characters, and the bytes that decode to none
    escaped in upper-case hex; characters outside the IRI ranges stay escaped."""
    count = 0
    for char in data.decode("utf-8", "ignore"):
        encoded = char.encode("utf-8")
        while data[count : count + len(encoded)] != encoded:
            yield _escaped(data[count : count + 1])
            count += 1
        count += len(encoded)
        if not _in_iri_range(ord(char), is_query=is_query):
            yield _escaped(encoded)
        elif not (legacy and char in _BIDI_CONTROLS):
            yield char
    if count < len(data):
        yield _escaped(data[count:])
