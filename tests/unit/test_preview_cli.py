"""The preview commands through `cli.main.app`: JSON shapes, tables and one-line refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from cli.simulate import text_lines

runner = CliRunner()


def run_json(*args: str, stdin: str | None = None) -> Any:
    result = runner.invoke(app, [*args, "--json"], input=stdin)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def refused(*args: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("ksgov: error: ")
    return lines[0]


def test_registry_lists_the_15_counties_with_their_population() -> None:
    rows = run_json("registry")
    assert isinstance(rows, list)
    assert len(rows) == 15
    assert rows[0] == {"county": "03", "name": "Oslo", "municipalities": 1, "population": 717710}
    assert sum(r["population"] for r in rows) == 5_550_203


def test_registry_shows_one_countys_municipalities() -> None:
    rows = run_json("registry", "--county", "56")
    assert isinstance(rows, list)
    assert all(r["number"].startswith("56") for r in rows)


def test_registry_reads_a_csv_file(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text("kommunenummer,name,population\n0301,Oslo,10\n5601,Alta,5\n", encoding="utf-8")
    result = runner.invoke(app, ["registry", "--file", str(path)])
    assert result.exit_code == 0
    assert "Finnmark" in result.stdout
    assert [r["population"] for r in run_json("registry", "--file", str(path))][:1] == [10]


def test_registry_reads_a_json_file(tmp_path: Path) -> None:
    path = tmp_path / "members.json"
    path.write_text('[{"id": "0301", "name": "Oslo", "population": 3}]', encoding="utf-8")
    assert run_json("registry", "--file", str(path), "--county", "03") == [
        {"number": "0301", "name": "Oslo", "population": 3}
    ]


def test_bylaws_list_and_show_print_the_shipped_version() -> None:
    assert run_json("bylaws", "list") == [
        {
            "name": "ks-2024",
            "effective_from": "2024-01-01",
            "title": "KS vedtekter, gjeldende fra 1. januar 2024",
        }
    ]
    shown = run_json("bylaws", "show", "ks-2024")
    assert isinstance(shown, dict)
    assert shown["delegate_key"] == {
        "method": "sainte-lague",
        "total": 219,
        "minimum_per_county": 3,
        "first_divisor": "7/5",
    }
    assert shown["organs"]["hovedstyret"]["meetings"]["quorum"] == "1/2"
    table = runner.invoke(app, ["bylaws", "show"])
    assert table.exit_code == 0
    assert "Hovedstyret" in table.stdout
    assert "ks-2024" in runner.invoke(app, ["bylaws", "list"]).stdout


def test_apportion_gives_the_delegates_per_county_as_json() -> None:
    shape = run_json("apportion")
    assert isinstance(shape, dict)
    assert list(shape) == ["method", "total", "seats", "tie"]
    assert shape["method"] == "sainte-lague"
    assert shape["total"] == 219
    assert sum(shape["seats"].values()) == 219
    assert shape["tie"] is None


def test_apportion_takes_method_total_and_minimum_options() -> None:
    shape = run_json(
        "apportion", "--bylaws", "ks-2024", "--method", "dhondt", "--total", "100", "--min", "5"
    )
    assert isinstance(shape, dict)
    assert shape["method"] == "dhondt"
    assert sum(shape["seats"].values()) == 100
    assert min(shape["seats"].values()) >= 5
    table = runner.invoke(app, ["apportion"])
    assert table.exit_code == 0
    assert "Finnmark" in table.stdout


def test_count_shares_seats_from_standard_input() -> None:
    votes = '{"A": 100000, "B": 80000, "C": 30000, "D": 20000}'
    shape = run_json("count", "--method", "dhondt", "--seats", "8", stdin=votes)
    assert shape == {"method": "dhondt", "seats": {"A": 4, "B": 3, "C": 1, "D": 0}, "tie": None}


def test_count_reports_a_tie_for_the_lot(tmp_path: Path) -> None:
    path = tmp_path / "votes.json"
    path.write_text('{"A": 10, "B": 10}', encoding="utf-8")
    shape = run_json("count", "--method", "sainte-lague", "--seats", "1", str(path))
    assert shape == {
        "method": "sainte-lague",
        "seats": {"A": 0, "B": 0},
        "tie": {"lists": ["A", "B"], "seats": 1},
    }
    table = runner.invoke(app, ["count", "--method", "sainte-lague", "--seats", "1", str(path)])
    assert "Tie: 1 seat(s) to be drawn by lot among A, B" in table.stdout


def test_count_takes_the_first_divisor_of_modified_sainte_lague() -> None:
    votes = '{"A": 100000, "B": 80000, "C": 30000, "D": 20000}'
    shape = run_json(
        "count",
        "--method",
        "modified-sainte-lague",
        "--seats",
        "8",
        "--first-divisor",
        "1",
        stdin=votes,
    )
    assert isinstance(shape, dict)
    assert shape["seats"] == {"A": 3, "B": 3, "C": 1, "D": 1}


def test_count_says_who_is_elected_by_majority() -> None:
    result = runner.invoke(app, ["count", "--method", "majority"], input='{"Ada": 12, "Bo": 9}')
    assert result.exit_code == 0
    assert "Elected: Ada" in result.stdout


def test_count_says_a_second_round_is_needed_and_between_whom() -> None:
    votes = '{"Ada": 10, "Bo": 8, "Cy": 3}'
    result = runner.invoke(app, ["count", "--method", "majority"], input=votes)
    assert "second round is needed" in result.stdout
    assert "Ada, Bo, Cy" in result.stdout
    shape = run_json("count", "--method", "majority", stdin=votes)
    assert shape == {"method": "majority", "elected": None, "second_round": ["Ada", "Bo", "Cy"]}


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["count", "--method", "dhondt", "--seats", "3"],
            '{"A": -1}',
            "votes for 'A' must be a whole number",
        ),
        (["count", "--method", "dhondt", "--seats", "3"], '{"A": 1.5}', "votes for 'A'"),
        (["count", "--method", "dhondt", "--seats", "3"], "{", "not valid JSON"),
        (["count", "--method", "dhondt", "--seats", "3"], "[1]", "expected an object"),
        (["count", "--method", "hare", "--seats", "3"], '{"A": 1}', "unknown method 'hare'"),
        (["count", "--method", "dhondt", "--seats", "0"], '{"A": 1}', "--seats must be"),
        (["count", "--method", "dhondt"], '{"A": 1}', "--seats must be"),
        (
            ["count", "--method", "modified-sainte-lague", "--seats", "2", "--first-divisor", "x"],
            '{"A": 1}',
            "--first-divisor",
        ),
        (["count", "--method", "majority"], '{"A": 0}', "no votes were cast"),
        (["count", "/nonexistent/votes.json"], None, "file not found"),
        (["registry", "--county", "99"], None, "unknown county '99'"),
        (["registry", "--file", "/nonexistent/x.csv"], None, "file not found"),
        (["bylaws", "show", "ks-1999"], None, "unknown bylaws 'ks-1999'"),
        (["apportion", "--method", "hare"], None, "unknown method"),
        (["apportion", "--total", "10", "--min", "5"], None, "do not fit"),
    ],
)
def test_bad_input_is_refused_in_one_line_with_exit_code_2(
    args: list[str], stdin: str | None, message: str
) -> None:
    assert message in refused(*args, stdin=stdin)


def test_an_unreadable_votes_file_is_refused(tmp_path: Path) -> None:
    assert "cannot read" in refused("count", str(tmp_path))


def test_every_preview_command_has_help() -> None:
    for args in (["registry"], ["bylaws", "show"], ["bylaws", "list"], ["apportion"], ["count"]):
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0
        assert "--json" in result.stdout


def test_the_simulation_summary_counts_county_boards_on_a_terminal_instead_of_listing_them() -> (
    None
):
    board = {"size": 9, "leader": "A", "deputy_leaders": [], "members": 7, "deputies": 11}
    summary = {
        "term": "2027-2031",
        "organs": {
            "county_board:03": board,
            "county_board:03-2": board,
            "hovedstyret": {**board, "size": 15, "deputies": 13},
        },
        "wall_seconds": 1.5,
    }
    assert text_lines(summary) == [
        "term            2027-2031",
        "organ           hovedstyret: 15 seats, leader A, 13 deputies",
        "county boards   2, of 9 seats each",
        "wall_seconds    1.5",
    ]
