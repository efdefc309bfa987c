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
    rows = run_json("registry", "show")
    assert isinstance(rows, list)
    assert len(rows) == 15
    assert rows[0] == {"county": "03", "name": "Oslo", "municipalities": 1, "population": 717710}
    assert sum(r["population"] for r in rows) == 5_550_203


def test_registry_shows_one_countys_municipalities() -> None:
    rows = run_json("registry", "show", "--county", "56")
    assert isinstance(rows, list)
    assert all(r["number"].startswith("56") for r in rows)


def test_registry_reads_a_csv_file(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text("kommunenummer,name,population\n0301,Oslo,10\n5601,Alta,5\n", encoding="utf-8")
    result = runner.invoke(app, ["registry", "show", "--file", str(path)])
    assert result.exit_code == 0
    assert "Finnmark" in result.stdout
    assert [r["population"] for r in run_json("registry", "show", "--file", str(path))][:1] == [10]


def test_registry_reads_a_json_file(tmp_path: Path) -> None:
    path = tmp_path / "members.json"
    path.write_text('[{"id": "0301", "name": "Oslo", "population": 3}]', encoding="utf-8")
    assert run_json("registry", "show", "--file", str(path), "--county", "03") == [
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
        (["registry", "show", "--county", "99"], None, "unknown county '99'"),
        (["registry", "show", "--file", "/nonexistent/x.csv"], None, "file not found"),
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
    for args in (
        ["registry", "show"], ["registry", "import"], ["registry", "versions"],
        ["bylaws", "show"], ["bylaws", "list"], ["apportion"], ["count"],
    ):  # fmt: skip
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


def ballot_lists(*lists: tuple[str, int, str]) -> dict[str, Any]:
    """A --lists file: each list as (name, votes, genders), candidates named by list and place."""
    words = {"f": "female", "m": "male", "k": "kvinne", "n": "mann"}
    return {
        "lists": [
            {
                "name": name,
                "votes": votes,
                "candidates": [
                    {"name": f"{name}{i}", "gender": words[g]} for i, g in enumerate(genders)
                ],
            }
            for name, votes, genders in lists
        ]
    }


def lists_file(tmp_path: Path, data: Any) -> str:
    path = tmp_path / "lists.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


# 6 seats by d'Hondt: Ap 3 and H 3; each list's first three are of one gender.
AP_H = ballot_lists(("Ap", 60, "mmmmf"), ("H", 59, "kkkn"))


def test_count_with_lists_prints_each_lists_elected_and_deputies_as_json(tmp_path: Path) -> None:
    path = lists_file(tmp_path, AP_H)
    shape = run_json("count", "--method", "dhondt", "--seats", "6", "--lists", path)
    assert shape == {
        "lists": [
            {
                "name": "Ap",
                "seats": 3,
                "elected": ["Ap0", "Ap1", "Ap4"],
                "deputies": ["Ap2", "Ap3"],
            },
            {"name": "H", "seats": 3, "elected": ["H0", "H1", "H3"], "deputies": ["H2"]},
        ]
    }


def test_count_with_lists_prints_a_table_by_default(tmp_path: Path) -> None:
    path = lists_file(tmp_path, AP_H)
    result = runner.invoke(app, ["count", "--seats", "6", "--lists", path])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "list  seats  elected        deputies",
        "----  -----  -------------  --------",
        "Ap        3  Ap0, Ap1, Ap4  Ap2, Ap3",
        "H         3  H0, H1, H3     H2",
    ]


def test_count_with_lists_reads_standard_input_and_the_extra_deputies(tmp_path: Path) -> None:
    data = json.dumps(ballot_lists(("A", 10, "mfmmmf")))
    args = ["count", "--method", "sainte-lague", "--seats", "2", "--lists", "-"]
    assert run_json(*args, "--deputies-extra", "0", stdin=data) == {
        "lists": [{"name": "A", "seats": 2, "elected": ["A0", "A1"], "deputies": ["A2", "A5"]}]
    }
    assert run_json(*args, stdin=data)["lists"][0]["deputies"] == ["A2", "A3", "A4", "A5"]


def test_count_with_lists_names_the_tied_lists_and_elects_nobody_until_the_lot(
    tmp_path: Path,
) -> None:
    path = lists_file(tmp_path, ballot_lists(("A", 10, "mfm"), ("B", 10, "fmf"), ("C", 1, "m")))
    args = ["count", "--method", "dhondt", "--seats", "3", "--lists", path]
    assert run_json(*args) == {
        "lists": [
            {"name": "A", "seats": 1, "elected": [], "deputies": []},
            {"name": "B", "seats": 1, "elected": [], "deputies": []},
            {"name": "C", "seats": 0, "elected": [], "deputies": []},
        ],
        "tie": ["A", "B"],
    }
    table = runner.invoke(app, args)
    assert table.exit_code == 0
    assert "Tie: 1 seat(s) to be drawn by lot among A, B" in table.stdout
    assert "Nobody is elected until the lot is drawn." in table.stdout


def test_count_with_lists_takes_the_first_divisor(tmp_path: Path) -> None:
    # A 70 and B 20 for 3 seats: B's 20 / 1.4 beats A's 70 / 5, but not 20 / 1.5 (13 1/3 < 14).
    path = lists_file(tmp_path, ballot_lists(("A", 70, "fmfm"), ("B", 20, "mf")))
    args = ["count", "--method", "modified-sainte-lague", "--seats", "3", "--lists", path]
    assert [row["seats"] for row in run_json(*args)["lists"]] == [2, 1]
    assert [row["seats"] for row in run_json(*args, "--first-divisor", "1.5")["lists"]] == [3, 0]


def one_list(**changes: Any) -> dict[str, Any]:
    """A --lists file of one list A (a woman and a man) with some keys changed."""
    entry = ballot_lists(("A", 10, "fm"))["lists"][0]
    return {"lists": [{**entry, **changes}]}


def with_candidate(candidate: Any) -> dict[str, Any]:
    return one_list(candidates=[{"name": "Ada", "gender": "female"}, candidate])


@pytest.mark.parametrize(
    ("data", "extra", "message"),
    [
        ("{", [], "not valid JSON"),
        ({"A": 10}, [], 'expected an object with one key, "lists"'),
        ([], [], 'expected an object with one key, "lists"'),
        ({"lists": []}, [], '"lists" must be a non-empty array'),
        ({"lists": {"A": 1}}, [], '"lists" must be a non-empty array'),
        ({"lists": [1]}, [], "list 1: expected an object with name, votes, candidates"),
        (
            {"lists": [{"name": "A"}]},
            [],
            "list 1: expected the keys name, votes, candidates, found",
        ),
        (one_list(vote=3), [], "list 1: expected the keys name, votes, candidates, found 'vote'"),
        (one_list(name=""), [], "list 1: the name must be a non-empty string"),
        (one_list(name=7), [], "list 1: the name must be a non-empty string, not 7"),
        (one_list(votes=-1), [], "list 'A': votes must be a whole number of 0 or more, not -1"),
        (one_list(votes=1.5), [], "list 'A': votes must be a whole number"),
        (one_list(votes=True), [], "list 'A': votes must be a whole number"),
        (one_list(candidates=[]), [], "list 'A': candidates must be a non-empty array"),
        (with_candidate("Bo"), [], "list 'A', candidate 2: expected an object with name, gender"),
        (with_candidate({"name": "Bo"}), [], "list 'A', candidate 2: expected the keys name"),
        (with_candidate({"name": " ", "gender": "male"}), [], "candidate 2: the name must be"),
        (
            with_candidate({"name": "Bo", "gender": "x"}),
            [],
            "list 'A', candidate 'Bo': unknown gender 'x': use one of female, kvinne, male, mann",
        ),
        (with_candidate({"name": "Bo", "gender": None}), [], "candidate 'Bo': unknown gender None"),
        (with_candidate({"name": "Ada", "gender": "male"}), [], "candidate 'Ada': already on list"),
        (
            ballot_lists(("A", 10, "fm"), ("A", 5, "mf")),
            [],
            "two lists are named 'A'",
        ),
        (
            {"lists": [one_list()["lists"][0], {**one_list()["lists"][0], "name": "B"}]},
            [],
            "list 'B', candidate 'A0': already on list 'A'",
        ),
        (ballot_lists(("A", 10, "f"), ("B", 1, "m")), [], "list 'A' won 2 seat(s) but has only 1"),
        (ballot_lists(("A", 0, "fm")), [], "no votes were cast"),
        (AP_H, ["--method", "majority"], "--lists needs a list method such as dhondt"),
        (AP_H, ["--method", "hare"], "unknown method 'hare'"),
        (AP_H, ["--seats", "0"], "--seats must be a whole number of at least 1"),
        (AP_H, ["--deputies-extra", "-1"], "--deputies-extra must be a whole number of 0 or more"),
        (AP_H, ["--first-divisor", "x"], "--first-divisor must be a number"),
    ],
)
def test_a_bad_lists_file_or_option_is_refused_in_one_line_with_exit_code_2(
    tmp_path: Path, data: Any, extra: list[str], message: str
) -> None:
    path = lists_file(tmp_path, data)
    args = ["count", "--seats", "2", "--lists", path, *extra]
    assert message in refused(*args)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["count", "--seats", "2", "--lists", "MISSING"], "file not found"),
        (["count", "--seats", "2", "--lists", "LISTS", "votes.json"], "either a votes file or"),
        (["count", "--seats", "2", "--deputies-extra", "1"], "counts only with --lists"),
    ],
)
def test_lists_that_cannot_be_read_or_clash_with_other_options_are_refused(
    tmp_path: Path, args: list[str], message: str
) -> None:
    paths = {"LISTS": lists_file(tmp_path, AP_H), "MISSING": str(tmp_path / "missing.json")}
    assert message in refused(*[paths.get(a, a) for a in args], stdin='{"A": 1}')


def test_an_unreadable_lists_file_is_refused(tmp_path: Path) -> None:
    assert "cannot read" in refused("count", "--seats", "2", "--lists", str(tmp_path))
