"""Every kind of bad scenario input is reported with the right file, row and column.

Each case breaks one thing in an otherwise valid scenario (``conftest.TABLES``)
and checks the structured :class:`Issue` the loader raises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.scenario import Issue, ScenarioError, load_scenario
from corridor.scenario.schema import TABLES

from .conftest import ScenarioFolder, to_csv


@dataclass(frozen=True)
class Case:
    id: str
    mutate: Callable[[ScenarioFolder], object]
    file: str
    row: int | None
    column: str | None
    says: str  # a fragment of the message
    line: int | None = None


def _set(file: str, row: int, column: str, value: str) -> Callable[[ScenarioFolder], object]:
    return lambda f: f.set(file, row, column, value)


def _sets(*cells: tuple[str, int, str, str]) -> Callable[[ScenarioFolder], object]:
    def mutate(f: ScenarioFolder) -> None:
        for file, row, column, value in cells:
            f.set(file, row, column, value)

    return mutate


def _yaml(**changes: object) -> Callable[[ScenarioFolder], object]:
    return lambda f: f.set_yaml(**changes)


def _duplicate_column(f: ScenarioFolder) -> None:
    f.rename_column("links.csv", "distance_km", "mode")


def _ragged_long(f: ScenarioFolder) -> None:
    f.tables["links.csv"][3].append("surplus")
    f.save("links.csv")


def _short_row(file: str, row: int, cells: int) -> Callable[[ScenarioFolder], object]:
    """Cut data ``row`` of ``file`` after its first ``cells`` fields (no trailing commas)."""

    def mutate(f: ScenarioFolder) -> None:
        rows = f.tables[file]
        f.write(file, to_csv(rows[:row]) + to_csv([rows[row][:cells]]) + to_csv(rows[row + 1 :]))

    return mutate


_ragged_short = _short_row("links.csv", 2, 3)  # h1,bremerhaven,hub: no mode


def _headerless(f: ScenarioFolder) -> None:
    f.write("nodes.csv", to_csv(f.tables["nodes.csv"][1:]))


def _latin1(f: ScenarioFolder) -> None:
    text = to_csv(f.tables["nodes.csv"]).replace("Poznan", "Pozna\xf1")  # n-acute
    f.write("nodes.csv", text.encode("latin-1"))


def _utf16(f: ScenarioFolder) -> None:
    f.write("supply.csv", to_csv(f.tables["supply.csv"]).encode("utf-16"))


def _yaml_text(text: str) -> Callable[[ScenarioFolder], object]:
    return lambda f: f.write("scenario.yaml", text)


def _links_blank_line_then(bad_mode: str) -> Callable[[ScenarioFolder], object]:
    def mutate(f: ScenarioFolder) -> None:
        rows = f.tables["links.csv"]
        rows[3][rows[0].index("mode")] = bad_mode
        # a blank line before data row 2: the bad row is data row 4 as a spreadsheet shows it
        f.write("links.csv", to_csv(rows[:2]) + "\n" + to_csv(rows[2:]))

    return mutate


def _override_missing(f: ScenarioFolder) -> None:
    f.set_yaml(tables={"supply": "sustainment.csv"})


def _override_unknown_table(f: ScenarioFolder) -> None:
    f.set_yaml(tables={"nodez": "nodes.csv"})


def _remove(file: str) -> Callable[[ScenarioFolder], object]:
    return lambda f: (f.root / file).unlink()


CASES = [
    # --- ids and references -------------------------------------------------------------
    Case("duplicate node id",
         lambda f: f.add_row("nodes.csv", id="front", kind="front", lat="54", lon="24"),
         "nodes.csv", 6, "id", "duplicate id 'front' (first at row 4)"),
    Case("duplicate movement id", _set("movements.csv", 3, "id", "m1"),
         "movements.csv", 3, "id", "duplicate id 'm1' (first at row 1)"),
    Case("dangling link endpoint", _set("links.csv", 2, "from", "bremerhafen"),
         "links.csv", 2, "from", "unknown node 'bremerhafen' (did you mean 'bremerhaven'?)"),
    Case("link to itself", _set("links.csv", 4, "to", "depot"),
         "links.csv", 4, "to", "same node 'depot'"),
    Case("unknown via node", _set("movements.csv", 1, "via", "hub;hubb"),
         "movements.csv", 1, "via", "unknown node 'hubb'"),
    Case("unknown carrier home", _set("carriers.csv", 4, "home", "hospita"),
         "carriers.csv", 4, "home", "unknown node 'hospita'"),
    Case("unknown movement origin", _set("movements.csv", 3, "origin", "nowhere"),
         "movements.csv", 3, "origin", "unknown node 'nowhere'"),
    # --- types, ranges, special values ---------------------------------------------------
    Case("text in float column", _set("nodes.csv", 3, "lat", "north"),
         "nodes.csv", 3, "lat", "'north' is not a number"),
    Case("negative capacity", _set("links.csv", 1, "capacity_per_day", "-5"),
         "links.csv", 1, "capacity_per_day", "below the minimum 0"),
    Case("NaN capacity", _set("nodes.csv", 2, "handling_t_per_day", "NaN"),
         "nodes.csv", 2, "handling_t_per_day", "NaN is not allowed"),
    Case("NaN day", _set("movements.csv", 1, "ready_day", "nan"),
         "movements.csv", 1, "ready_day", "NaN is not allowed"),
    Case("latitude out of range", _set("nodes.csv", 4, "lat", "95"),
         "nodes.csv", 4, "lat", "above the maximum 90"),
    Case("longitude out of range", _set("nodes.csv", 5, "lon", "-181"),
         "nodes.csv", 5, "lon", "below the minimum -180"),
    Case("non-integer int", _set("nodes.csv", 2, "rail_gauge_mm", "1435.5"),
         "nodes.csv", 2, "rail_gauge_mm", "not a whole number"),
    Case("inf where not allowed", _set("carriers.csv", 1, "count", "inf"),
         "carriers.csv", 1, "count", "'inf' is not allowed here"),
    Case("overflow to inf", _set("movements.csv", 3, "pax", "1e999"),
         "movements.csv", 3, "pax", "'1e999' is too large"),
    Case("int too large", _set("movements.csv", 1, "priority", "1e300"),
         "movements.csv", 1, "priority", "'1e300' is too large"),
    Case("minus infinity", _set("links.csv", 3, "distance_km", "-inf"),
         "links.csv", 3, "distance_km", "'-inf' is not allowed"),
    Case("bad bool", _set("links.csv", 1, "bidirectional", "maybe"),
         "links.csv", 1, "bidirectional", "'maybe' is not true/false"),
    Case("unknown enum", _set("nodes.csv", 1, "kind", "harbour"),
         "nodes.csv", 1, "kind", "'harbour' is not one of"),
    Case("unknown enum with hint", _set("equipment.csv", 1, "category", "utility_vehicel"),
         "equipment.csv", 1, "category", "did you mean 'utility_vehicle'?"),
    Case("share above one", _set("disruptions.csv", 1, "capacity_factor", "1.5"),
         "disruptions.csv", 1, "capacity_factor", "above the maximum 1"),
    Case("priority zero", _set("movements.csv", 2, "priority", "0"),
         "movements.csv", 2, "priority", "below the minimum 1"),
    # --- columns and rows -----------------------------------------------------------------
    Case("required column missing", lambda f: f.drop_column("nodes.csv", "kind"),
         "nodes.csv", 0, "kind", "required column is missing"),
    Case("required value empty", _set("carriers.csv", 3, "count", ""),
         "carriers.csv", 3, "count", "required value is missing"),
    Case("required id empty", _set("disruptions.csv", 2, "id", ""),
         "disruptions.csv", 2, "id", "required value is missing"),
    Case("required equipment figure empty", _set("equipment.csv", 1, "mass_t", ""),
         "equipment.csv", 1, "mass_t", "required value is missing"),
    Case("unknown column (typo)",
         lambda f: f.rename_column("nodes.csv", "rail_gauge_mm", "rail_gauge_m"),
         "nodes.csv", 0, "rail_gauge_m", "did you mean 'rail_gauge_mm'?"),
    Case("unknown column in units", lambda f: f.rename_column("units.csv", "pax", "people"),
         "units.csv", 0, "people", "unknown column"),
    Case("duplicate column", _duplicate_column, "links.csv", 0, "mode", "appears twice"),
    Case("ragged row, too many fields", _ragged_long,
         "links.csv", 3, None,
         "has 9 fields but the header has 8: 'surplus' after the last column 'bidirectional'"),
    Case("ragged row, too few fields", _ragged_short,
         "links.csv", 2, "mode", "required value is missing: the row has 3 fields but the "
         "header has 8"),
    Case("ragged row, required number cut off", _short_row("nodes.csv", 3, 4),
         "nodes.csv", 3, "lon", "required value is missing: the row has 4 fields"),
    Case("ragged row in an optional table", _short_row("supply.csv", 2, 2),
         "supply.csv", 2, "t_per_day", "required value is missing: the row has 2 fields"),
    Case("ragged row, only optional cells cut off", _short_row("links.csv", 5, 4),
         "links.csv", 5, None, "has 4 fields but the header has 8: no cell for distance_km, "
         "capacity_per_day, max_mlc, bidirectional"),
    Case("row number counts blank lines", _links_blank_line_then("raod"),
         "links.csv", 4, "mode", "did you mean 'road'?"),
    # --- whole files -----------------------------------------------------------------------
    Case("empty file", lambda f: f.write("links.csv", ""), "links.csv", None, None,
         "file is empty"),
    Case("empty required file", lambda f: f.write("nodes.csv", b""), "nodes.csv", None, None,
         "file is empty; the nodes table is required and needs a header row (id, name, kind"),
    Case("blank-only file", lambda f: f.write("links.csv", "\n \n,,\n"), "links.csv", None,
         None, "file is empty"),
    Case("headerless file", _headerless, "nodes.csv", 0, None, "no header row"),
    Case("not UTF-8 (Latin-1)", _latin1, "nodes.csv", None, None, "not UTF-8", line=3),
    Case("not UTF-8 (UTF-16)", _utf16, "supply.csv", None, None, "not UTF-8", line=1),
    Case("NUL bytes", lambda f: f.write("units.csv", b"id,pax\x00\nrecon,1\n"), "units.csv",
         None, None, "NUL bytes"),
    Case("required file missing", _remove("links.csv"), "links.csv", None, None,
         "required file is missing"),
    Case("tables: names a missing file", _override_missing, "scenario.yaml", None,
         "tables.supply", "'sustainment.csv' for 'supply' does not exist"),
    Case("tables: names an unknown table", _override_unknown_table, "scenario.yaml", None,
         "tables.nodez", "unknown table 'nodez'"),
    # --- catalogs and templates --------------------------------------------------------------
    Case("unknown equipment in movement", _set("movements.csv", 3, "equipment", "leopard9:2"),
         "movements.csv", 3, "equipment", "unknown equipment type 'leopard9'"),
    Case("unknown equipment in unit template",
         _set("units.csv", 1, "equipment", "dingo_y:10;hx2_truck:4"),
         "units.csv", 1, "equipment", "unknown equipment type 'dingo_y'"),
    Case("unknown unit template", _set("movements.csv", 2, "unit", "recce"),
         "movements.csv", 2, "unit", "unknown unit template 'recce'"),
    Case("equipment list does not parse", _set("movements.csv", 3, "equipment", "leopard2a6=4"),
         "movements.csv", 3, "equipment", "'leopard2a6=4' is not type:count"),
    Case("equipment count not whole", _set("units.csv", 1, "equipment", "dingo_x:2.5"),
         "units.csv", 1, "equipment", "must be a whole number"),
    Case("equipment count not a number", _set("movements.csv", 3, "equipment", "cv90:many"),
         "movements.csv", 3, "equipment", "count 'many' of 'cv90' is not a number"),
    Case("unknown carrier type", _set("carriers.csv", 1, "type", "het_mamut"),
         "carriers.csv", 1, "type", "unknown carrier type 'het_mamut' (did you mean"),
    Case("carrier mode missing", _set("carriers.csv", 2, "mode", ""),
         "carriers.csv", 2, "mode", "mode is missing"),
    Case("carrier with no capacity",
         _sets(("carriers.csv", 2, "capacity_t", "0"), ("carriers.csv", 2, "capacity_m2", "")),
         "carriers.csv", 2, "capacity_t", "has no capacity"),
    Case("carrier speed zero", _set("carriers.csv", 2, "speed_kmh", "0"),
         "carriers.csv", 2, "speed_kmh", "speed must be a finite number > 0"),
    # --- movements ----------------------------------------------------------------------------
    Case("due before ready", _set("movements.csv", 2, "due_day", "0.5"),
         "movements.csv", 2, "due_day", "due_day 0.5 is before ready_day 1"),
    Case("origin equals destination", _set("movements.csv", 2, "destination", "bremerhaven"),
         "movements.csv", 2, "destination", "same as origin"),
    Case("movement moves nothing",
         _sets(("movements.csv", 3, "pax", "0"), ("movements.csv", 3, "equipment", ""),
               ("movements.csv", 3, "supplies_t", "")),
         "movements.csv", 3, "pax", "moves nothing"),
    Case("template line with count 0",
         _sets(("movements.csv", 2, "count", "0"), ("movements.csv", 2, "pax", ""),
               ("movements.csv", 2, "equipment", ""), ("movements.csv", 2, "supplies_t", "")),
         "movements.csv", 2, "count", "count is 0"),
    Case("template x count too large",
         _sets(("units.csv", 1, "pax", "9000000000000000"),
               ("movements.csv", 2, "count", "9000000000000000")),
         "movements.csv", 2, "count", "too large"),
    # --- supply -----------------------------------------------------------------------------
    Case("unknown supply node", _set("supply.csv", 1, "node", "frnt"),
         "supply.csv", 1, "node", "unknown node 'frnt' (did you mean 'front'?)"),
    Case("unknown supply source", _set("supply.csv", 2, "source", "depo"),
         "supply.csv", 2, "source", "unknown node 'depo'"),
    Case("supply end before start", _set("supply.csv", 2, "end_day", "5"),
         "supply.csv", 2, "end_day", "end_day 5 is before start_day 10"),
    # --- disruptions --------------------------------------------------------------------------
    Case("disruption unknown target", _set("disruptions.csv", 1, "target", "r9"),
         "disruptions.csv", 1, "target", "'r9' is not a link id, node id"),
    Case("disruption bad mode", _set("disruptions.csv", 2, "target", "mode:submarine"),
         "disruptions.csv", 2, "target", "'submarine' is not a mode"),
    Case("disruption unknown country", _set("disruptions.csv", 3, "target", "country:XX"),
         "disruptions.csv", 3, "target", "no node is in country 'XX'"),
    Case("window with one end", _set("disruptions.csv", 1, "end_day", ""),
         "disruptions.csv", 1, "end_day", "needs both start_day and end_day"),
    Case("window ends before it starts", _set("disruptions.csv", 1, "end_day", "4"),
         "disruptions.csv", 1, "end_day", "end_day 4 is before start_day 5"),
    Case("rate without duration", _set("disruptions.csv", 3, "mean_duration_days", ""),
         "disruptions.csv", 3, "mean_duration_days", "needs mean_duration_days"),
    Case("duration without rate", _set("disruptions.csv", 4, "mean_duration_days", "2"),
         "disruptions.csv", 4, "rate_per_day", "rate_per_day is not"),
    Case("window and rate together",
         _sets(("disruptions.csv", 1, "rate_per_day", "0.2"),
               ("disruptions.csv", 1, "mean_duration_days", "1")),
         "disruptions.csv", 1, "rate_per_day", "either a window"),
    # --- scenario.yaml ------------------------------------------------------------------------
    Case("format missing", _yaml(format=...), "scenario.yaml", None, "format",
         "'format: corridor/1' is required"),
    Case("format wrong", _yaml(format="corridor/2"), "scenario.yaml", None, "format",
         "'corridor/2' is not supported"),
    Case("horizon negative", _yaml(horizon_days=-3), "scenario.yaml", None, "horizon_days",
         "must be a positive number"),
    Case("horizon huge YAML int", _yaml(horizon_days=10**400), "scenario.yaml", None,
         "horizon_days", "must be a positive number"),
    Case("start_date bad", _yaml(start_date="2025-13-01"), "scenario.yaml", None,
         "start_date", "is not a date"),
    # date.fromisoformat (3.11) would take these as 2025-01-15; the format says YYYY-MM-DD
    Case("start_date ISO week date", _yaml(start_date="2025-W03-3"), "scenario.yaml", None,
         "start_date", "is not a date (YYYY-MM-DD)"),
    Case("start_date without dashes", _yaml(start_date=20250115), "scenario.yaml", None,
         "start_date", "is not a date (YYYY-MM-DD)"),
    Case("start_date with a time", _yaml(start_date="2025-01-15T00:00"), "scenario.yaml",
         None, "start_date", "is not a date (YYYY-MM-DD)"),
    Case("step_h zero", _yaml(planner={"step_h": 0}), "scenario.yaml", None, "planner.step_h",
         "must be a number > 0"),
    Case("seed negative", _yaml(seed=-1), "scenario.yaml", None, "seed",
         "must be a whole number >= 0"),
    Case("unknown top-level key", _yaml(horizon=30), "scenario.yaml", None, "horizon",
         "unknown key 'horizon'"),
    Case("planner not a mapping", _yaml(planner=[6]), "scenario.yaml", None, "planner",
         "must be a mapping"),
    Case("medical unknown key", _yaml(medical={"casualtys": []}), "scenario.yaml", None,
         "medical.casualtys", "unknown medical key"),
    Case("precedence does not sum to 1",
         _yaml(medical={"precedence": {"urgent": 0.5, "priority": 0.3, "routine": 0.5}}),
         "scenario.yaml", None, "medical.precedence", "sum to 1.3, not 1"),
    Case("unknown casualty node",
         _yaml(medical={"casualties": [{"at": "frontline", "start_day": 1, "end_day": 2}]}),
         "scenario.yaml", None, "medical.casualties[1].at", "unknown node 'frontline'"),
    Case("casualty node not text", _yaml(medical={"casualties": [{"at": ["front"]}]}),
         "scenario.yaml", None, "medical.casualties[1].at", "unknown node"),
    Case("casualty rate negative",
         _yaml(medical={"casualties": [{"at": "front", "wia_per_1000_per_day": -1}]}),
         "scenario.yaml", None, "medical.casualties[1].wia_per_1000_per_day", "number >= 0"),
    Case("casualty window reversed",
         _yaml(medical={"casualties": [{"at": "front", "start_day": 9, "end_day": 3}]}),
         "scenario.yaml", None, "medical.casualties[1].end_day", "before start_day"),
    Case("YAML syntax error", _yaml_text("format: corridor/1\nname: [unclosed\nseed: 1\n"),
         "scenario.yaml", None, None, "YAML syntax error", line=3),
    Case("YAML tab indentation", _yaml_text("format: corridor/1\nplanner:\n\tstep_h: 6\n"),
         "scenario.yaml", None, None, "YAML syntax error", line=3),
    Case("unsafe YAML tag",
         _yaml_text("format: corridor/1\nname: !!python/object/apply:os.system ['true']\n"),
         "scenario.yaml", None, None, "unsafe or unknown YAML tag", line=2),
    Case("YAML explicit tag on bad text",
         _yaml_text("format: corridor/1\nhorizon_days: !!float sixty\n"),
         "scenario.yaml", None, None, "YAML value cannot be read"),
    Case("YAML mapping key that is a list", _yaml_text("format: corridor/1\n? [a, b]\n: 1\n"),
         "scenario.yaml", None, None, "YAML error: found unhashable key", line=2),
    Case("scenario.yaml not a mapping", _yaml_text("- format\n- corridor/1\n"),
         "scenario.yaml", None, None, "must be a YAML mapping"),
    Case("scenario.yaml empty", _yaml_text(""), "scenario.yaml", None, None,
         "must be a YAML mapping"),
    Case("scenario.yaml not UTF-8", lambda f: f.write("scenario.yaml", b"format: corr\xe9\n"),
         "scenario.yaml", None, None, "not UTF-8", line=1),
]


def test_cases_are_distinct_and_many() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_names_file_row_column(folder: ScenarioFolder, case: Case) -> None:
    folder.load()  # the fixture is valid before the change
    case.mutate(folder)
    issue = folder.issue()
    assert (issue.file, issue.row, issue.column) == (case.file, case.row, case.column), issue
    assert case.says in issue.message, issue
    assert issue.table is None
    if case.line is not None:
        assert issue.line == case.line, issue
    # the rendered line names the place the same way
    text = str(issue)
    assert text.startswith(case.file)
    if case.row:
        assert f"row {case.row}" in text
    if case.column:
        assert f"column '{case.column}'" in text


def test_message_style(folder: ScenarioFolder) -> None:
    folder.set("nodes.csv", 3, "lat", "north")
    folder.rename_column("nodes.csv", "name", "nmae")
    known = ", ".join(TABLES["nodes"].names)
    assert [str(i) for i in folder.issues()] == [
        f"nodes.csv, header, column 'nmae': unknown column (did you mean 'name'?); known: "
        f"{known} (or x_* for notes)",
        "nodes.csv, row 3, column 'lat': 'north' is not a number",
    ]


def test_many_problems_reported_together(folder: ScenarioFolder) -> None:
    folder.set("nodes.csv", 4, "lat", "95")
    folder.set("links.csv", 2, "from", "bremerhafen")
    folder.set("links.csv", 5, "bidirectional", "maybe")
    folder.set("carriers.csv", 1, "type", "het_mamut")
    folder.set("movements.csv", 2, "due_day", "0.5")
    folder.set("supply.csv", 1, "node", "frnt")
    folder.set("disruptions.csv", 2, "target", "mode:submarine")
    folder.rename_column("equipment.csv", "seats", "seat")
    folder.set_yaml(format="corridor/9", horizon_days=0)
    found = {(i.file, i.row, i.column) for i in folder.issues()}
    assert found == {
        ("nodes.csv", 4, "lat"),
        ("links.csv", 2, "from"),
        ("links.csv", 5, "bidirectional"),
        ("carriers.csv", 1, "type"),
        ("movements.csv", 2, "due_day"),
        ("supply.csv", 1, "node"),
        ("disruptions.csv", 2, "target"),
        ("equipment.csv", 0, "seat"),
        ("scenario.yaml", None, "format"),
        ("scenario.yaml", None, "horizon_days"),
    }
    assert len(folder.issues()) == 10  # each once


def test_unreadable_file_does_not_cascade(folder: ScenarioFolder) -> None:
    """An unreadable links.csv is one problem, not one per disruption that names a link;
    problems in the other files are still reported."""
    folder.write("links.csv", "")
    folder.set("carriers.csv", 2, "count", "many")
    assert {(i.file, i.row, i.column) for i in folder.issues()} == {
        ("links.csv", None, None),
        ("carriers.csv", 2, "count"),
    }


def test_required_column_reported_once(folder: ScenarioFolder) -> None:
    folder.drop_column("links.csv", "mode")
    assert len(folder.issues()) == 1


def test_short_row_names_each_missing_required_cell(folder: ScenarioFolder) -> None:
    """A row cut short is reported like its empty required cells, in header order, and
    its other (misaligned) cells are not checked again."""
    _short_row("links.csv", 2, 1)(folder)
    _short_row("nodes.csv", 1, 2)(folder)  # id and name: kind, lat and lon missing
    why = "required value is missing: the row has 1 field but the header has 8"
    assert [str(i) for i in folder.issues()] == [
        "nodes.csv, row 1, column 'kind': required value is missing: the row has 2 fields "
        "but the header has 10",
        "nodes.csv, row 1, column 'lat': required value is missing: the row has 2 fields "
        "but the header has 10",
        "nodes.csv, row 1, column 'lon': required value is missing: the row has 2 fields "
        "but the header has 10",
        f"links.csv, row 2, column 'from': {why}",
        f"links.csv, row 2, column 'to': {why}",
        f"links.csv, row 2, column 'mode': {why}",
    ]


def test_short_row_after_blank_lines_keeps_its_row_number(folder: ScenarioFolder) -> None:
    rows = folder.tables["movements.csv"]
    folder.write("movements.csv", to_csv(rows[:2]) + "\n\n" + to_csv([rows[2][:7]]))
    i = folder.issue()
    assert (i.file, i.row, i.column) == ("movements.csv", 4, "due_day"), i


def test_long_row_names_the_surplus_cells(folder: ScenarioFolder) -> None:
    # an unquoted comma inside a name shifts every later cell one column right
    text = to_csv(folder.tables["nodes.csv"]).replace("Field hospital", "Field, hospital")
    folder.write("nodes.csv", text)
    assert str(folder.issue()) == (
        "nodes.csv, row 5: has 11 fields but the header has 10: '2' after the last column "
        "'role'; a value that holds a comma needs double quotes (\"a, b\")"
    )


def test_header_trailing_comma_with_rows_without_it_accepted(folder: ScenarioFolder) -> None:
    rows = folder.tables["links.csv"]
    folder.write("links.csv", to_csv(rows[:1]).replace("\n", ",\n") + to_csv(rows[1:]))
    assert len(folder.load().links) == 5


# --- single-file YAML with inline tables ------------------------------------------------

INLINE = """\
nodes:
  - {id: a, kind: port, lat: 54.0, lon: 10.0, country: DE}
  - {id: b, kind: front, lat: 54.5, lon: 20.0, country: PL}
links:
  - {id: ab, from: a, to: b, mode: road}
carriers:
  - {id: het, type: het_mammut, count: 5, home: a}
movements:
  - {id: m1, unit: efp_bg, origin: a, destination: b, due_day: 10}
"""

INLINE_CASES = [
    ("unknown node", ("from: a, to: b", "from: c, to: b"), "links", 1, "from",
     "unknown node 'c'"),
    ("wrong type", ("lat: 54.5", "lat: north"), "nodes", 2, "lat", "'north' is not a number"),
    ("YAML .nan", ("lat: 54.5", "lat: .nan"), "nodes", 2, "lat", "NaN is not allowed"),
    ("duplicate id", ("links:", "  - {id: a, kind: depot, lat: 1, lon: 1}\nlinks:"), "nodes",
     3, "id", "duplicate id 'a' (first at record 1)"),
    ("unknown field", ("country: PL}", "country: PL, latt: 3}"), "nodes", 2, "latt",
     "unknown column"),
    ("field missing in a record", (", mode: road}", "}"), "links", 1, "mode",
     "required value is missing"),
    ("record not a mapping", ("  - {id: het, type: het_mammut, count: 5, home: a}",
                              "  - het"), "carriers", 1, None, "not a mapping"),
    ("equipment as mapping with unknown type", ("due_day: 10}",
                                               "due_day: 10, equipment: {leopard3: 2}}"),
     "movements", 1, "equipment", "unknown equipment type 'leopard3'"),
    ("bad enum", ("mode: road", "mode: hovercraft"), "links", 1, "mode", "is not one of"),
]


@pytest.mark.parametrize("case", INLINE_CASES, ids=[c[0] for c in INLINE_CASES])
def test_inline_table_errors_name_table_record_field(
    inline_file: Callable[..., Path], case: tuple[str, tuple[str, str], str, int, str, str]
) -> None:
    _, (old, new), table, record, field, says = case
    assert old in INLINE
    load_scenario(inline_file(INLINE))  # valid before the change
    path = inline_file(INLINE.replace(old, new, 1))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    issues = info.value.issues
    assert len(issues) == 1, info.value.render()
    i = issues[0]
    assert (i.file, i.table, i.row, i.column) == ("tiny.yaml", table, record, field), i
    assert says in i.message
    assert str(i).startswith(f"tiny.yaml, table '{table}', record {record}")


def test_inline_table_not_a_list(inline_file: Callable[..., Path]) -> None:
    path = inline_file(INLINE.replace("links:\n  - {id: ab, from: a, to: b, mode: road}\n",
                                      "links: {ab: road}\n"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    [i] = info.value.issues
    assert (i.file, i.table, i.row) == ("tiny.yaml", "links", None)
    assert "must be a list of records" in i.message


def test_inline_required_table_missing(inline_file: Callable[..., Path]) -> None:
    path = inline_file(INLINE.split("links:")[0])
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    [i] = info.value.issues
    assert (i.file, i.column) == ("tiny.yaml", "links")
    assert "required table 'links' is missing" in i.message


# --- accepted variations ----------------------------------------------------------------


def test_bom_accepted(folder: ScenarioFolder) -> None:
    for name in ("nodes.csv", "scenario.yaml"):
        p = folder.root / name
        p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    s = folder.load()
    assert "id" in s.nodes.columns and s.nodes.index[0] == "bremerhaven"


def test_crlf_and_blank_trailing_lines_accepted(folder: ScenarioFolder) -> None:
    base = folder.load()
    for name, rows in folder.tables.items():
        folder.write(name, to_csv(rows, newline="\r\n") + "\r\n\r\n  \n")
    p = folder.root / "scenario.yaml"
    p.write_bytes(p.read_bytes().replace(b"\n", b"\r\n") + b"\r\n\r\n")
    s = folder.load()
    assert s.summary() == base.summary()
    assert list(s.nodes["_row"]) == [1, 2, 3, 4, 5]


def test_trailing_empty_cells_and_header_comma_accepted(folder: ScenarioFolder) -> None:
    text = to_csv(folder.tables["links.csv"]).replace("\n", ",\n")
    folder.write("links.csv", text)
    assert len(folder.load().links) == 5


def test_x_columns_carried_through(folder: ScenarioFolder) -> None:
    folder.set("nodes.csv", 2, "x_owner", "PKP")
    folder.set("links.csv", 1, "x_source", "OSM way 4711, \"quoted\"")
    s = folder.load()
    assert s.nodes.at["hub", "x_owner"] == "PKP"
    assert s.nodes.at["front", "x_owner"] == ""
    assert s.links.at["r1", "x_source"] == "OSM way 4711, \"quoted\""
    assert s.equipment.at["dingo_x", "x_note"] == "test vehicle"


# --- the command line -------------------------------------------------------------------

CLI_SAMPLE = ["dangling link endpoint", "NaN capacity", "headerless file", "YAML syntax error",
              "unsafe YAML tag", "not UTF-8 (Latin-1)", "carrier with no capacity",
              "medical unknown key", "ragged row, too few fields", "ragged row, too many fields"]


@pytest.mark.parametrize("name", CLI_SAMPLE)
def test_cli_validate_exits_2_with_the_list(folder: ScenarioFolder, name: str) -> None:
    from corridor.cli import app

    case = next(c for c in CASES if c.id == name)
    case.mutate(folder)
    expected = str(folder.issue())
    result = CliRunner().invoke(app, ["validate", str(folder.root)])
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_cli_validate_many_problems(folder: ScenarioFolder) -> None:
    from corridor.cli import app

    folder.set("nodes.csv", 4, "lat", "95")
    folder.set("supply.csv", 1, "node", "frnt")
    issues = folder.issues()
    result = CliRunner().invoke(app, ["validate", str(folder.root)])
    assert result.exit_code == 2
    assert "2 problem(s)" in result.output
    for i in issues:
        assert str(i) in result.output


def test_cli_validate_clean_exits_0(folder: ScenarioFolder) -> None:
    from corridor.cli import app

    result = CliRunner().invoke(app, ["validate", str(folder.root)])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output and "5 nodes" in result.output


def test_cli_validate_missing_path(tmp_path: Path) -> None:
    from corridor.cli import app

    result = CliRunner().invoke(app, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


def test_issue_is_structured() -> None:
    i = Issue("links.csv", "bad", row=3, column="mode")
    assert str(i) == "links.csv, row 3, column 'mode': bad"
    assert str(Issue("x.yaml", "bad", row=2, column="lat", table="nodes")) == (
        "x.yaml, table 'nodes', record 2, column 'lat': bad"
    )
    assert str(Issue("s.yaml", "oops", line=4)) == "s.yaml, line 4: oops"
