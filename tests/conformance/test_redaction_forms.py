"""A secret is masked in every form a target or the suite's formatting may spell it.

The property tests draw secrets from all printable ASCII, write them into a text in each
form (inside surrounding text, whole or cut off, the text itself cut short), and search
the redacted text for every :data:`MIN_PREFIX` characters of the secret (its start, or
what a mask stopping too soon would leave) in every form - the oracle is built from the
standard library, independently of :mod:`conformance.redact`. Text without a secret must
come out unchanged.
"""

from __future__ import annotations

import base64
import html
import json
import re
import string
import time
from collections.abc import Callable
from urllib.parse import quote, quote_plus
from xml.sax.saxutils import escape as xml_escape

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conformance.redact import MASK, MIN_PREFIX, Redactor
from contract.wire.values import json_pointer

Form = Callable[[str], str]
ALPHABET = "".join(char for char in string.printable if char not in "\t\n\r\x0b\x0c")
SECRETS = st.text(alphabet=ALPHABET, min_size=8, max_size=40)
# Surrounding text: any characters, the secret's own removed, so that the oracle cannot
# mistake surrounding text next to a mask for a leak.
AROUND = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _lower_hex(text: str) -> str:
    """Percent-encoding with lower-case hex digits."""
    return re.sub("%[0-9A-F]{2}", lambda found: found.group().lower(), text)


def _each(spell: Callable[[str], str]) -> Form:
    return lambda text: "".join(spell(char) for char in text)


def _percent_some(remainder: int) -> Form:
    """Partial percent-encoding: only the characters whose code has this remainder."""
    return _each(lambda char: quote(char, safe="") if ord(char) % 3 == remainder else char)


def _repr_char(char: str, quote_escaped: bool) -> str:
    if char == "'":
        return "\\'" if quote_escaped else "'"
    return repr(char)[1:-1]


def _pointer_segment(text: str) -> str:
    return json_pointer((text,))[1:]


def _pointer_percent(text: str) -> str:
    """A JSON Pointer segment in a URI fragment with its ``~`` percent-encoded."""
    return _pointer_segment(text).replace("~", "%7E")


def _mixed(char: str) -> str:
    """Each character spelled another way: raw, JSON, XML decimal, percent, repr."""
    spellings = [
        char,
        f"\\u{ord(char):04X}",
        f"&#{ord(char)};",
        quote(char, safe=""),
        f"\\x{ord(char):02x}" if ord(char) < 256 else char,
    ]
    return spellings[ord(char) % len(spellings)]


# Forms that spell a text character by character: a form of a text starts with the form
# of its start, so the oracle searches the form of the secret's first characters.
CHAR_FORMS: dict[str, Form] = {
    "raw": lambda text: text,
    "json": lambda text: json.dumps(text)[1:-1],
    "json-unicode": lambda text: json.dumps(text, ensure_ascii=False)[1:-1],
    "json-solidus": lambda text: json.dumps(text)[1:-1].replace("/", "\\/"),
    "json-all-upper": _each(lambda char: f"\\u{ord(char):04X}"),
    "json-all-lower": _each(lambda char: f"\\u{ord(char):04x}"),
    "json-of-json": lambda text: json.dumps(json.dumps(text))[3:-3],
    "repr-quote-raw": _each(lambda char: _repr_char(char, quote_escaped=False)),
    "repr-quote-escaped": _each(lambda char: _repr_char(char, quote_escaped=True)),
    "json-in-repr-escaped": lambda text: _each(lambda char: _repr_char(char, True))(
        json.dumps(text)[1:-1]
    ),
    "repr-all-hex": _each(lambda char: f"\\x{ord(char):02x}" if ord(char) < 256 else char),
    "html": html.escape,
    "html-no-quotes": lambda text: html.escape(text, quote=False),
    "xml-apos": lambda text: xml_escape(text, {'"': "&quot;", "'": "&apos;"}),
    "xml-decimal": _each(lambda char: f"&#{ord(char)};"),
    "xml-hex-upper": _each(lambda char: f"&#x{ord(char):X};"),
    "xml-hex-lower": _each(lambda char: f"&#X{ord(char):x};"),
    "html-of-html": lambda text: html.escape(html.escape(text)),
    "pointer": _pointer_segment,
    "pointer-uri": lambda text: quote(_pointer_segment(text), safe="/~"),
    "pointer-percent": _pointer_percent,
    "quote": lambda text: quote(text, safe=""),
    "quote-url": quote,
    "quote-plus": lambda text: quote_plus(text, safe=""),
    "quote-lower": lambda text: _lower_hex(quote(text, safe="")),
    "quote-twice": lambda text: quote(quote(text, safe=""), safe=""),
    "percent-some-0": _percent_some(0),
    "percent-some-1": _percent_some(1),
    "percent-some-2": _percent_some(2),
    "mixed": _each(_mixed),
}
BASE64_FORMS: dict[str, Form] = {
    "base64": lambda text: base64.b64encode(text.encode()).decode(),
    "base64-unpadded": lambda text: base64.b64encode(text.encode()).decode().rstrip("="),
    "base64-url": lambda text: base64.urlsafe_b64encode(text.encode()).decode(),
    "base64-url-unpadded": lambda text: (
        base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
    ),
}
FORMS = {
    **CHAR_FORMS,
    **BASE64_FORMS,
    "repr": lambda text: repr(text)[1:-1],
    "json-in-repr": lambda text: repr(json.dumps(text))[2:-2],
}


def base64_cores(data: bytes) -> set[str]:
    """The base64 characters ``data`` alone determines, at each of the three byte
    alignments inside a larger text, in both alphabets."""
    cores = set()
    for offset in range(3):
        start, end = -(-8 * offset // 6), 8 * (offset + len(data)) // 6
        core = base64.b64encode(bytes(offset) + data).decode()[start:end]
        cores |= {core, core.replace("+", "-").replace("/", "_")}
    return cores


def spellings(secret: str) -> set[str]:
    """Every :data:`MIN_PREFIX` characters of the secret - its start, and any stretch
    left after a mask that stopped too soon - and the secret, in every form."""
    stretches = {
        secret[index : index + MIN_PREFIX] for index in range(len(secret) - MIN_PREFIX + 1)
    }
    found: set[str] = set()
    for text in {*stretches, secret}:
        found |= {form(text) for form in CHAR_FORMS.values()}
        found |= base64_cores(text.encode())
    return found


def leaks(redacted: str, secret: str) -> list[str]:
    """The spellings of the secret (or of a part of it) still in ``redacted``."""
    return sorted(spelled for spelled in spellings(secret) if spelled in redacted)


def _without(text: str, secret: str) -> str:
    return "".join(char for char in text if char not in secret)


@st.composite
def embedded(draw: st.DrawFn) -> tuple[str, str]:
    """A secret, and a text holding it in every form: whole, or cut off after at least
    MIN_PREFIX characters (followed by ``...``, a quote or more text), or with the
    encoded text itself cut short inside the secret."""
    secret = draw(SECRETS)
    lines = []
    for form in FORMS.values():
        before, after = _without(draw(AROUND), secret), _without(draw(AROUND), secret)
        cut = draw(st.integers(MIN_PREFIX, len(secret)))
        end = draw(st.sampled_from(["...", "'", '"', "", after]))
        lines.append(form(before + secret + after))
        lines.append(form(before + secret[:cut] + end))
        whole, start = form(before + secret), form(before + secret[:MIN_PREFIX])
        lines.append(whole[: draw(st.integers(len(start), len(whole)))] + end)
    return secret, "\n".join(lines)


def test_the_oracle_finds_every_form() -> None:
    # The oracle must see a leak in each form, or the properties below prove nothing.
    secret = "tok/en~1+pa ss'\"<&>%=end-of-it"
    for name, form in FORMS.items():
        for text in (form(secret), form("x" + secret + "y"), form("ab" + secret)):
            assert leaks(text, secret), (name, text)


@PROPERTY
@given(embedded())
def test_a_secret_is_masked_in_every_form(case: tuple[str, str]) -> None:
    secret, text = case
    redacted = Redactor([secret]).text(text)
    assert leaks(redacted, secret) == [], redacted
    assert MASK in redacted


@PROPERTY
@given(SECRETS, st.lists(AROUND, min_size=1, max_size=4))
def test_text_without_a_secret_is_unchanged(secret: str, texts: list[str]) -> None:
    plain = "\n".join(_without(text, secret) for text in texts)
    redactor = Redactor([secret])
    for form in FORMS.values():
        text = form(plain)
        assume(not leaks(text, secret))
        assert redactor.text(text) == text


@PROPERTY
@given(SECRETS, AROUND, AROUND)
def test_a_start_shorter_than_min_prefix_is_kept(secret: str, before: str, after: str) -> None:
    text = _without(before, secret) + secret[: MIN_PREFIX - 1] + _without(after, secret)
    assert Redactor([secret]).text(text) == text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("at /Data/0/tok~1en~0-5f1c9a0b7e", "at /Data/0/***"),
        ("#/Data/tok~1en%7E0-5f1c9a0b7e", "#/Data/***"),
        ("'tok/en~-5f1...'", "'***...'"),
        ('"tok\\/en~-5f1c9a0b7e"', '"***"'),
        ("tok\\u002Fen\\u007e-5f1\\u00", "***"),
        ("tok\\u002Fen\\u007e-5f1\\u00...", "***..."),
        ("tok&#x2F;en&#126;-5f1&#x...", "***..."),
        ("tok%2fen%7E-5f1%...", "***..."),
        ("tok/en~-5f1c9a0b7eX", "***X"),
        ("Bearer tok/en~-5f1c9a0b7e", "Bearer ***"),
    ],
)
def test_escaped_and_cut_off_forms(text: str, shown: str) -> None:
    assert Redactor(["tok/en~-5f1c9a0b7e"]).text(text) == shown


POINTER_LIKE = "abcdefgh~0ijklmnopqrstuvwxyz"
BACKSLASH_U = "abcdefgh\\u0030ijklmnopqrstuvwxyz"  # a backslash, then 'u0030' as it is


@pytest.mark.parametrize(
    ("secret", "text"),
    [
        (POINTER_LIKE, "abcdefgh~0ijklmnop..."),  # raw: '~' then '0', not a pointer's '~0'
        (POINTER_LIKE, "abcdefgh~00ijklmnop..."),  # a JSON Pointer: '~0' then '0'
        (POINTER_LIKE, "abcdefgh%7E00ijklmnop..."),  # the pointer in a URI fragment
        (BACKSLASH_U, "abcdefgh\\\\u0030ijklmnop..."),  # JSON: an escaped backslash, 'u0030'
        (BACKSLASH_U, "abcdefgh\\u0030ijklmnop..."),  # raw
    ],
)
def test_a_cut_off_secret_is_followed_through_ambiguous_spellings(secret: str, text: str) -> None:
    # A regex stops at its first way through ('~0' is '~' then '0', or an escaped '~');
    # the whole cut-off start must go, not just its first MIN_PREFIX characters.
    assert Redactor([secret]).text(text) == "***..."


def test_a_secret_inside_a_larger_base64_text_is_masked_at_every_alignment() -> None:
    secret = "tok-5f1c9a0b7e-long-token"
    for pad in ("", "a", "ab"):
        encoded = base64.b64encode(f"{pad}user={secret}; rest of the text".encode()).decode()
        redacted = Redactor([secret]).text(encoded)
        assert MASK in redacted
        assert leaks(redacted, secret) == [], (pad, redacted)
        # Only the characters the secret's bytes touch are masked: the rest is shown.
        assert redacted.startswith(encoded[:6])
        assert redacted.endswith(encoded[-12:])


def test_short_secrets_are_masked_whole_only() -> None:
    redactor = Redactor(["ab12"])
    assert redactor.text("x ab12 y") == "x *** y"
    assert redactor.text("x ab\\u0031\\u0032 y") == "x *** y"
    assert redactor.text("x ab1 y ab") == "x ab1 y ab"
    assert redactor.text(base64.b64encode(b"ab12").decode()) == base64.b64encode(b"ab12").decode()


def test_a_secret_inside_another_and_overlapping_ones_leave_nothing() -> None:
    redactor = Redactor(["qa-user:pw-77ab-c0ffee", "pw-77ab-c0ffee", "c0ffee-and-more-x"])
    assert redactor.text("[qa-user:pw-77ab-c0ffee]") == "[***]"
    assert redactor.text("[pw-77ab-c0ffee-and-more-x]") == "[***]"


def test_headers_are_masked_by_name_and_by_value() -> None:
    redactor = Redactor(["tok-5f1c9a0b7e"], secret_headers=["X-Session"])
    shown = redactor.headers([("Authorization", "x"), ("x-session", "y"), ("Z", "tok-5f1c9a0b7e")])
    assert shown == [("Authorization", MASK), ("x-session", MASK), ("Z", MASK)]


def test_redacting_a_large_text_is_fast() -> None:
    secrets = [f"secret-{index}-" + "5f1c/9a0b~7e" * 3 for index in range(6)]
    redactor = Redactor(secrets)
    chunk = json.dumps({"Message": "caf\u00e9 &amp; 100% \\ ~1 " * 20, "Data": list(range(50))})
    text = (chunk * (1_000_000 // len(chunk) + 1))[:1_000_000]
    text = text[:500_000] + json.dumps(secrets) + html.escape(secrets[3]) + text[500_000:]
    redactor.text(text[:1000] + secrets[0])  # compiles the patterns once
    started = time.perf_counter()
    redacted = redactor.text(text)
    elapsed = time.perf_counter() - started
    assert all(leaks(redacted, secret) == [] for secret in secrets)
    assert elapsed < 1.0, elapsed
