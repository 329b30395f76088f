"""Differential test: our wire writers against a .NET oracle running the real serializers.

``tests/dotnet/WireOracle.cs`` declares the service's types and writes each envelope with
DataContractSerializer (XmlMediaTypeFormatter's writer settings, Windows' ``"\\r\\n"``
newline) and Json.NET (the service's ``yyyy-MM-ddTHH:mm:ssZ`` dates), under Mono with a
fixed +02:00 local zone. It is built once per session with ``mcs`` and stays running:
each batch of envelopes is one round trip through its stdin and stdout.

The oracle first has to reproduce every golden case byte for byte; then Hypothesis draws
batches of envelopes and our writers must write the oracle's bytes for every one.
Strings are any Unicode text without lone surrogates: the service cannot write those at
all (Web API's UTF-8 encoding throws on them, and so does XmlUtf8RawTextWriter), and the
wire values refuse them (``check_wire_value``).

Mono missing is a failure, not a skip: ``scripts/install-mono`` installs it.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.endpoint import EndpointContract
from contract.netdatetime import MAX_TICKS, TICKS_PER_SECOND, DateTimeKind, NetDateTime
from contract.wire import ResponseWriter, WireValueError, values_from_json
from tests.conftest import GoldenCase, golden_cases

# The .NET oracle is built with mcs once: its tests share one worker.
pytestmark = pytest.mark.xdist_group("dotnet-oracle")

DOTNET_DIR = Path(__file__).resolve().parents[1] / "dotnet"
MONO_MISSING = (
    "the .NET differential test cannot run: {tools} not found; install Mono with "
    "scripts/install-mono (as root; it runs apt-get install mono-devel "
    "libnewtonsoft-json-cil-dev)"
)
SERVICE_OFFSET_MINUTES = 120  # the service's machine: South Africa, +02:00, no summer time
# Etc/GMT-2 is a fixed +02:00 like Windows' zone; tzdata's Africa/Johannesburg is not
# (+01:30 before 1903, summer time 1942-1944).
ORACLE_TZ = "Etc/GMT-2"
KIND_CODES = {DateTimeKind.UNSPECIFIED: 0, DateTimeKind.UTC: 1, DateTimeKind.LOCAL: 2}

# Golden cases that Mono cannot reproduce, with the reason: none so far.
KNOWN_MONO_DIFFERENCES: dict[str, str] = {}

BATCH = 25  # envelopes per Hypothesis example
BATCHES = 100  # examples per format: 2,500 envelopes
MIN_ENVELOPES = 2_000


# --- the oracle process -------------------------------------------------------------------


@dataclass(frozen=True)
class OracleBodies:
    """What .NET wrote for one envelope: the bytes, or the exception a serializer threw."""

    json: bytes | str
    xml: bytes | str


def _text_token(text: str | None) -> str:
    if text is None:
        return "~"
    units = text.encode("utf-16-be", "surrogatepass")
    return "'" + units.hex()


def _item_tokens(item: dict[str, Any]) -> list[str]:
    sending_time: NetDateTime = item["SendingTime"]
    if (
        sending_time.kind is DateTimeKind.LOCAL
        and sending_time.offset_minutes != SERVICE_OFFSET_MINUTES
    ):
        raise ValueError(f"the oracle's local zone is +02:00, not {sending_time}")
    return [
        str(item["PracticeId"]),
        str(item["EncounterId"]),
        str(item["InvoiceId"]),
        _text_token(item["Reason"]),
        _text_token(item["Status"]),
        _text_token(item["System"]),
        str(sending_time.ticks),
        str(KIND_CODES[sending_time.kind]),
        str(item["SendingAttempts"]),
        _text_token(item["SendingType"]),
    ]


def _list_tokens(
    values: list[dict[str, Any]] | None, element: Callable[[dict[str, Any]], list[str]]
) -> list[str]:
    if values is None:
        return ["-1"]
    return [str(len(values))] + [token for value in values for token in element(value)]


def oracle_line(envelope: dict[str, Any]) -> str:
    """One envelope (wire values) in WireOracle.cs's input format."""
    tokens = [
        "1" if envelope["Sucess"] else "0",
        str(envelope["ResponseCode"]),
        _text_token(envelope["ResponseMessage"]),
        *_list_tokens(envelope["Data"], _item_tokens),
        *_list_tokens(
            envelope["Links"], lambda link: [_text_token(link["Rel"]), _text_token(link["HRef"])]
        ),
    ]
    return " ".join(tokens)


def _body(answer: str) -> bytes | str:
    if answer.startswith("!"):
        return base64.b64decode(answer[1:]).decode("utf-8")
    return base64.b64decode(answer)


class DotnetOracle:
    """A running WireOracle.exe: envelopes in, the bodies .NET writes for them out."""

    def __init__(self, exe: Path, stderr: IO[bytes]) -> None:
        self._process = subprocess.Popen(
            ["mono", str(exe)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env={**os.environ, "TZ": ORACLE_TZ},
        )
        self._stderr = stderr

    def write(self, envelopes: Sequence[dict[str, Any]]) -> list[OracleBodies]:
        """Both bodies for each envelope, in order (one round trip for the whole batch)."""
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None
        # The oracle answers only after the empty line, so the pipes cannot deadlock.
        stdin.write("".join(oracle_line(e) + "\n" for e in envelopes).encode("ascii") + b"\n")
        stdin.flush()
        answers = []
        for _ in envelopes:
            line = stdout.readline().decode("ascii")
            if not line.endswith("\n"):
                raise RuntimeError(f"the oracle stopped: {self._errors()}")
            json_answer, xml_answer = line.split()
            answers.append(OracleBodies(_body(json_answer), _body(xml_answer)))
        return answers

    def close(self) -> None:
        """Close its stdin, wait for it to exit and close its stdout."""
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=30)
        if self._process.stdout is not None:
            self._process.stdout.close()

    def _errors(self) -> str:
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace").strip() or "(no stderr)"


@pytest.fixture(scope="session")
def dotnet_oracle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DotnetOracle]:
    """WireOracle.cs built with mcs into a temp dir and started under mono."""
    missing = [tool for tool in ("mono", "mcs") if shutil.which(tool) is None]
    if not any(Path("/usr/lib/cli").glob("Newtonsoft.Json*/Newtonsoft.Json.dll")):
        missing.append("Newtonsoft.Json.dll")
    if missing:
        pytest.fail(MONO_MISSING.format(tools=" and ".join(missing)), pytrace=False)
    out = tmp_path_factory.mktemp("dotnet-oracle")
    build = subprocess.run(
        ["bash", str(DOTNET_DIR / "build"), str(out)], capture_output=True, text=True, check=False
    )
    if build.returncode != 0:
        pytest.fail(f"building the .NET oracle failed:\n{build.stdout}{build.stderr}")
    with (out / "stderr.txt").open("w+b") as stderr:
        oracle = DotnetOracle(out / "WireOracle.exe", stderr)
        try:
            yield oracle
        finally:
            oracle.close()


@pytest.fixture(scope="session")
def our_writer(retry_contract: EndpointContract) -> ResponseWriter:
    """Our writer, with its defaults: the service's bytes."""
    return ResponseWriter(retry_contract)


# --- comparing bodies ----------------------------------------------------------------------


def byte_diff(first: bytes, second: bytes, *, names: tuple[str, str] = ("ours", ".NET")) -> str:
    """Where two bodies first differ, with 60 bytes of context on each side."""
    index = next(
        (i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b),
        min(len(first), len(second)),
    )
    start = max(index - 60, 0)
    width = max(len(name) for name in names) + 1
    return (
        f"first difference at byte {index} (lengths {len(first)} vs {len(second)})\n"
        f"    {names[0] + ':':{width}} {first[start : index + 60]!r}\n"
        f"    {names[1] + ':':{width}} {second[start : index + 60]!r}"
    )


_EMPTY_ELEMENT = re.compile(rb"<([\w:]+)></\1>")
_NEWLINE_DEFECT = ("newlines written as \\n, not \\r\\n", lambda body: body.replace(b"\r\n", b"\n"))
_EMPTY_DEFECT = (
    "empty string written as <X />, not <X></X>",
    lambda body: _EMPTY_ELEMENT.sub(rb"<\1 />", body),
)
_KNOWN_DEFECTS: list[list[tuple[str, Callable[[bytes], bytes]]]] = [
    [_NEWLINE_DEFECT],
    [_EMPTY_DEFECT],
    [_NEWLINE_DEFECT, _EMPTY_DEFECT],
]


def _known_xml_defects(ours: bytes, dotnet: bytes) -> list[str]:
    """The known XML writer defects (CRLF newlines, ``<X></X>``) that explain a difference.

    Empty when the difference is something else: the .NET body with the defects applied
    is still not ours.
    """
    for defects in _KNOWN_DEFECTS:
        adjusted = dotnet
        for _, apply in defects:
            adjusted = apply(adjusted)
        if adjusted == ours:
            return [name for name, _ in defects]
    return []


def differences(
    envelopes: Sequence[dict[str, Any]],
    ours: Sequence[bytes | str],
    dotnet: Sequence[bytes | str],
    *,
    fmt: str,
) -> list[str]:
    """A description of every envelope whose two bodies are not the same bytes."""
    found = []
    for index, (envelope, mine, theirs) in enumerate(zip(envelopes, ours, dotnet, strict=True)):
        if mine == theirs:
            continue
        if isinstance(mine, bytes) and isinstance(theirs, bytes):
            known = _known_xml_defects(mine, theirs) if fmt == "xml" else []
            cause = f"known defect: {' + '.join(known)}" if known else "NOT a known defect"
            detail = f"{cause}\n  {byte_diff(mine, theirs)}"
        else:
            detail = f"ours: {mine!r}\n  .NET: {theirs!r}"
        found.append(f"envelope {index} ({fmt}): {detail}\n  values: {envelope!r}")
    return found


def _ours(write: Callable[[Any], bytes], envelope: dict[str, Any]) -> bytes | str:
    try:
        return write(envelope)
    except ValueError as error:
        return f"{type(error).__name__}: {error}"


# --- the oracle against the golden files ---------------------------------------------------

CASES = golden_cases()


def _golden_params(fmt: str) -> list[Any]:
    params = []
    for case in CASES:
        reason = KNOWN_MONO_DIFFERENCES.get(f"{case.name}.{fmt}")
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        params.append(pytest.param(case, id=case.name, marks=marks))
    return params


def test_golden_cases_include_the_first_eight() -> None:
    names = [case.name for case in CASES]
    assert len(names) >= 8
    assert [name[:2] for name in names[:8]] == [f"{n:02d}" for n in range(1, 9)], names


@pytest.mark.parametrize("case", _golden_params("json"))
def test_oracle_json_matches_golden_bytes(
    case: GoldenCase, dotnet_oracle: DotnetOracle, retry_contract: EndpointContract
) -> None:
    [written] = dotnet_oracle.write([values_from_json(case.values, retry_contract)])
    assert isinstance(written.json, bytes), written.json
    assert written.json == case.json_bytes, byte_diff(
        written.json, case.json_bytes, names=(".NET", "golden")
    )


@pytest.mark.parametrize("case", _golden_params("xml"))
def test_oracle_xml_matches_golden_bytes(
    case: GoldenCase, dotnet_oracle: DotnetOracle, retry_contract: EndpointContract
) -> None:
    [written] = dotnet_oracle.write([values_from_json(case.values, retry_contract)])
    assert isinstance(written.xml, bytes), written.xml
    assert written.xml == case.xml_bytes, byte_diff(
        written.xml, case.xml_bytes, names=(".NET", "golden")
    )


# --- what the generated values leave out ---------------------------------------------------


@pytest.mark.parametrize("text", ["a\ud800b", "\udc00", "\udbff\udbff"])
def test_lone_surrogates_are_unwritable_by_dotnet_and_refused_by_our_writer(
    text: str, dotnet_oracle: DotnetOracle, our_writer: ResponseWriter
) -> None:
    envelope = {
        "Sucess": True,
        "ResponseCode": 0,
        "ResponseMessage": text,
        "Data": None,
        "Links": None,
    }
    [written] = dotnet_oracle.write([envelope])
    # Web API's UTF8Encoding(throwOnInvalidBytes: true); XmlUtf8RawTextWriter's own check.
    assert isinstance(written.json, str), written.json
    assert written.json.startswith("System.Text.EncoderFallbackException"), written.json
    assert isinstance(written.xml, str), written.xml
    assert written.xml.startswith("System.ArgumentException:"), written.xml
    assert "surrogate" in written.xml, written.xml
    for write in (our_writer.json, our_writer.xml):
        with pytest.raises(WireValueError, match="lone surrogate"):
            write(envelope)


# --- our writers against the oracle --------------------------------------------------------

INT32 = st.one_of(
    st.integers(-(2**31), 2**31 - 1), st.sampled_from([-(2**31), 2**31 - 1, 0, -1, 1])
)
# Characters that writers treat specially: newlines, XML-forbidden ones, the escapes,
# Json.NET's extra escapes, non-BMP.
SPECIAL_CHARS = "\n\r\t &<>\"'\\\x00\x01\x08\x0b\x0c\x1f\x7f\x85\u2028\u2029\ufffe\uffffé😀"
TEXT = st.one_of(
    st.none(),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=16),
    st.text(st.sampled_from(SPECIAL_CHARS + "ab"), max_size=10),
    st.sampled_from(["", " ", "   ", "\t", "\n", "\r", "\r\n", "\n\r", "\r\r\n", " padded "]),
)
TWO_HOURS = 2 * 3600 * TICKS_PER_SECOND
TICKS = st.one_of(
    st.integers(0, MAX_TICKS),
    st.integers(630_000_000_000_000_000, 640_000_000_000_000_000),  # 1997-2029
    st.sampled_from([0, 1, TWO_HOURS - 1, TWO_HOURS, MAX_TICKS - TWO_HOURS, MAX_TICKS]),
)


@st.composite
def sending_times(draw: st.DrawFn) -> NetDateTime:
    """Any tick of any kind; local times at the service's +02:00."""
    ticks = draw(TICKS)
    kind = draw(st.sampled_from(list(DateTimeKind)))
    offset = SERVICE_OFFSET_MINUTES if kind is DateTimeKind.LOCAL else 0
    return NetDateTime(ticks, kind, offset)


ITEMS = st.fixed_dictionaries(
    {
        "PracticeId": st.uuids(),
        "EncounterId": st.uuids(),
        "InvoiceId": st.one_of(st.uuids(), st.just(uuid.UUID(int=0))),
        "Reason": TEXT,
        "Status": TEXT,
        "System": TEXT,
        "SendingTime": sending_times(),
        "SendingAttempts": INT32,
        "SendingType": TEXT,
    }
)
LINKS = st.fixed_dictionaries({"Rel": TEXT, "HRef": TEXT})
ENVELOPES = st.fixed_dictionaries(
    {
        "Sucess": st.booleans(),
        "ResponseCode": INT32,
        "ResponseMessage": TEXT,
        "Data": st.none() | st.lists(ITEMS, max_size=4),
        "Links": st.none() | st.lists(LINKS, max_size=3),
    }
)
BATCHES_OF_ENVELOPES = st.lists(ENVELOPES, min_size=BATCH, max_size=BATCH)
DIFFERENTIAL = settings(
    max_examples=BATCHES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _check_against_oracle(
    fmt: str, write: Callable[[Any], bytes], dotnet_oracle: DotnetOracle
) -> int:
    checked = 0

    @DIFFERENTIAL
    @given(batch=BATCHES_OF_ENVELOPES)
    def compare(batch: list[dict[str, Any]]) -> None:
        nonlocal checked
        dotnet = [getattr(bodies, fmt) for bodies in dotnet_oracle.write(batch)]
        ours = [_ours(write, envelope) for envelope in batch]
        found = differences(batch, ours, dotnet, fmt=fmt)
        assert not found, f"{len(found)} of {len(batch)} envelopes differ:\n" + "\n".join(found)
        checked += len(batch)

    compare()
    return checked


def test_json_writer_matches_the_oracle(
    our_writer: ResponseWriter, dotnet_oracle: DotnetOracle
) -> None:
    checked = _check_against_oracle("json", our_writer.json, dotnet_oracle)
    assert checked >= MIN_ENVELOPES, f"only {checked} envelopes were compared"


def test_xml_writer_matches_the_oracle(
    our_writer: ResponseWriter, dotnet_oracle: DotnetOracle
) -> None:
    checked = _check_against_oracle("xml", our_writer.xml, dotnet_oracle)
    assert checked >= MIN_ENVELOPES, f"only {checked} envelopes were compared"
