"""Hostile input files are refused in one line, before anything is counted or sent (issue 21,
finding 8): too large, not UTF-8, duplicate keys, NaN, endless digits, endless nesting, and
numbers of seats that would count for minutes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from client.errors import UserError
from domain.apportionment import Apportionment
from service import governance
from service.governance import MAX_INPUT_BYTES, parse_json, read_stdin, read_text


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('{"A": 1, "A": 2}', "the key 'A' appears twice in one object"),
        ('{"A": NaN}', "NaN is not a number an input may hold"),
        ('{"A": -Infinity}', "-Infinity is not a number an input may hold"),
        ('{"A": ' + "9" * 5000 + "}", "a number has too many digits"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"A": 1', "not valid JSON (Expecting ',' delimiter, line 1)"),
    ],
)
def test_json_that_an_input_may_not_hold_is_one_line_naming_the_problem(
    text: str, needle: str
) -> None:
    with pytest.raises(UserError) as raised:
        parse_json(text, "votes.json")
    message = str(raised.value)
    assert message.startswith("votes.json: ")
    assert needle in message
    assert "\n" not in message


def test_plain_json_reads_as_json() -> None:
    assert parse_json('{"A": [1, 2.5, null, true]}', "x") == {"A": [1, 2.5, None, True]}


def test_a_file_too_large_not_utf8_or_a_directory_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_INPUT_BYTES + 1))
    with pytest.raises(UserError, match=r"big.json: 5.0 MB is more than the 5 MB"):
        read_text(big)
    utf16 = tmp_path / "utf16.json"
    utf16.write_text('{"A": 1}', encoding="utf-16")
    with pytest.raises(UserError, match=r"utf16.json: not UTF-8 text \(byte 0\); save it as"):
        read_text(utf16)
    with pytest.raises(UserError, match="is a directory, not a file"):
        read_text(tmp_path)
    with pytest.raises(UserError, match="file not found"):
        read_text(tmp_path / "missing.json")
    bom = tmp_path / "bom.json"
    bom.write_bytes('\ufeff{"Ø": 1}'.encode())
    assert parse_json(read_text(bom), "bom.json") == {"Ø": 1}


def test_standard_input_has_the_same_limit() -> None:
    assert read_stdin(io.StringIO('{"A": 1}')) == '{"A": 1}'
    with pytest.raises(UserError, match="standard input: more than the 5 MB"):
        read_stdin(io.StringIO(" " * (MAX_INPUT_BYTES + 1)))


def test_a_number_of_seats_that_would_count_for_minutes_is_refused_at_once() -> None:
    with pytest.raises(UserError, match=r"^--seats must be at most 10,000, not 100,000,000$"):
        governance.count_votes({"A": 10, "B": 5}, "dhondt", 100_000_000)
    with pytest.raises(UserError, match=r"^--total must be at most 10,000"):
        governance.preview_delegates(total=1_000_000_000)
    with pytest.raises(UserError, match=r"^--min must be at most 10,000"):
        governance.preview_delegates(minimum=10**30)
    counted = governance.count_votes({"A": 10, "B": 5}, "dhondt", 3)
    assert isinstance(counted, Apportionment)
    assert counted.seats == {"A": 2, "B": 1}
