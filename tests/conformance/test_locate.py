"""Locations back to places in the body: line, column and the marked excerpt."""

from __future__ import annotations

import json

import pytest

from conformance.locate import Position, excerpt, locate

BODY = json.dumps(
    {"Sucess": True, "Data": [{"a/b": 1, "t~x": [1, 2]}, {"a/b": 'x"y', "n": None}], "L": []},
    separators=(",", ":"),
).encode()


def _at(body: bytes, location: str, kind: str = "json") -> str:
    position = locate(body, location, kind)
    assert position is not None
    return excerpt(body, position)[1]


@pytest.mark.parametrize(
    ("pointer", "marked"),
    [
        ("/Data/1/a~1b", '"x\\"y"'),
        ("/Data/0/t~0x/1", "2"),
        ("/Data/1/n", "null"),
        ("/Sucess", "true"),
        ("/L", "["),
    ],
)
def test_a_json_pointer_marks_its_value(pointer: str, marked: str) -> None:
    assert _at(BODY, pointer) == marked


def test_a_missing_json_member_resolves_to_its_nearest_parent() -> None:
    assert _at(BODY, "/Data/1/Missing") == _at(BODY, "/Data/1")
    assert _at(BODY, "/Data/7/a~1b") == _at(BODY, "/Data")


def test_line_and_column_count_characters_on_their_line() -> None:
    body = '{\n  "Data": [\n    {"Name": "é", "N": 5}\n  ]\n}'.encode()
    position = locate(body, "/Data/0/N", "json")
    assert position is not None
    assert (position.line, position.column) == (3, 24)
    assert body[position.offset : position.offset + 1] == b"5"


XML = (
    b'<R xmlns="urn:r"><!-- <Data><I>decoy</I></Data> --><![CDATA[<I>]]>'
    b"<Data><I><S>1</S></I>\n<I><S>2</S><T>t</T></I></Data></R>"
)


def test_an_xpath_marks_its_start_tag_past_comments_and_cdata() -> None:
    assert _at(XML, "/R/Data/I[2]/T (line 2)", "xml") == "<T>"
    position = locate(XML, "/R/Data/I[2]/S (line 2)", "xml")
    assert position == Position(XML.index(b"<S>2"), 2, 4)


def test_an_xpath_past_the_last_child_resolves_to_the_parent() -> None:
    assert _at(XML, "/R/Data/I[9]/S (line 1)", "xml") == "<Data>"


def test_locations_that_are_not_paths_give_no_position() -> None:
    assert locate(BODY, "Content-Type", "json") is None
    assert locate(XML, "/Other/Data", "xml") is None
    assert locate(b"<broken", "/R", "xml") is None
    assert locate(b'{"a": [1, ', "/a/3", "json") is not None  # the parent that parsed
    assert excerpt(b"plain text", None) == ("", "", "plain text")
