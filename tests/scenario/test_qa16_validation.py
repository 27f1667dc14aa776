"""QA16 findings 5, 6 and 8: values the engines cannot use are refused on load, and
``--set`` edits every table keyed by id (units included), checked as on load.

- 5: a link ``speed_kmh`` of 0 (or less) passed validation; the planner then divided by
  zero and said only "no path". A random outage's ``mean_duration_days`` of 0 is refused
  too. Zeros the spec gives a meaning (a capacity of 0: closed) stay accepted.
- 6: a supply ``source`` that is not a depot (spec: "a depot node or empty") passed;
  the plan then said only "no origin to draw from".
- 8: ``--set units.ID.COLUMN=V`` was refused ("table must be one of ...").
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from corridor.cli import app
from corridor.scenario import ScenarioError, catalogs, load_scenario
from corridor.scenario.whatif import apply_sets

from .conftest import ScenarioFolder

# --- 5: non-positive link speed ---------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-5", "0.0"])
def test_link_speed_must_be_above_zero(folder: ScenarioFolder, value: str) -> None:
    folder.set("links.csv", 3, "speed_kmh", value)  # link h2
    issue = folder.issue()
    assert (issue.file, issue.row, issue.column) == ("links.csv", 3, "speed_kmh")
    assert "speed_kmh must be > 0" in issue.message
    assert "capacity_per_day 0" in issue.message  # how to close a link instead
    assert str(issue).startswith("links.csv, row 3, column 'speed_kmh': ")


def test_link_speed_zero_in_inline_yaml_names_table_record_field(tmp_path: Path) -> None:
    doc = {
        "format": "corridor/1",
        "nodes": [{"id": "a", "kind": "depot", "lat": 50, "lon": 10},
                  {"id": "b", "kind": "front", "lat": 50, "lon": 11}],
        "links": [{"id": "ab", "from": "a", "to": "b", "mode": "road", "speed_kmh": 0}],
        "movements": [{"id": "m", "origin": "a", "destination": "b", "due_day": 2,
                       "supplies_t": 5}],
    }
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(p)
    [issue] = info.value.issues
    assert (issue.table, issue.row, issue.column) == ("links", 1, "speed_kmh")


def test_validate_refuses_zero_speed_with_exit_2(folder: ScenarioFolder) -> None:
    folder.set("links.csv", 3, "speed_kmh", "0")
    res = CliRunner().invoke(app, ["validate", str(folder.root)])
    assert res.exit_code == 2, res.output
    assert "links.csv, row 3, column 'speed_kmh'" in res.output
    assert "Traceback" not in res.output


def test_random_outage_mean_duration_must_be_above_zero(folder: ScenarioFolder) -> None:
    folder.set("disruptions.csv", 3, "mean_duration_days", "0")  # d3, a random process
    issue = folder.issue()
    assert (issue.file, issue.row, issue.column) == ("disruptions.csv", 3,
                                                     "mean_duration_days")
    assert "must be > 0" in issue.message


@pytest.mark.parametrize(("file", "row", "column"), [
    ("links.csv", 3, "capacity_per_day"),  # 0 = closed
    ("links.csv", 3, "flow_per_h"),
    ("links.csv", 3, "distance_km"),  # co-located places
    ("nodes.csv", 2, "handling_t_per_day"),  # per-day capacities: 0 = none
    ("nodes.csv", 2, "rail_per_day"),
    ("carriers.csv", 2, "count"),  # a fleet with no carriers (a what-if)
    ("disruptions.csv", 3, "rate_per_day"),
])
def test_zeros_with_a_meaning_stay_accepted(folder: ScenarioFolder, file: str, row: int,
                                            column: str) -> None:
    folder.set(file, row, column, "0")
    folder.load()


@pytest.mark.parametrize(("file", "row", "column"), [
    ("links.csv", 3, "distance_km"), ("links.csv", 3, "capacity_per_day"),
    ("nodes.csv", 2, "storage_t"), ("carriers.csv", 2, "capacity_t"),
])
def test_negative_amounts_are_refused(folder: ScenarioFolder, file: str, row: int,
                                      column: str) -> None:
    folder.set(file, row, column, "-1")
    issue = folder.issue()
    assert (issue.file, issue.row, issue.column) == (file, row, column)


def test_set_link_speed_zero_is_out_of_range(folder: ScenarioFolder) -> None:
    with pytest.raises(ScenarioError) as info:
        apply_sets(folder.load(), ["links.h2.speed_kmh=0"])
    [issue] = info.value.issues
    assert issue.file == "--set" and issue.column == "speed_kmh"
    assert "out of range (speed_kmh must be > 0)" in issue.message


# --- 6: supply source must be a depot ----------------------------------------------------


def test_supply_source_that_is_not_a_depot_is_named(folder: ScenarioFolder) -> None:
    folder.set("supply.csv", 1, "source", "hub")  # a rail_terminal
    issue = folder.issue()
    assert (issue.file, issue.row, issue.column) == ("supply.csv", 1, "source")
    assert "'hub' is a rail_terminal node, not a depot" in issue.message


def test_supply_source_at_the_demand_node_is_named(folder: ScenarioFolder) -> None:
    row = folder.add_row("supply.csv", node="depot", **{"class": "I"}, t_per_day="5",
                         source="depot")
    issue = folder.issue()
    assert (issue.file, issue.row, issue.column) == ("supply.csv", row, "source")
    assert "is the node the demand is at" in issue.message


def test_validate_names_bad_supply_source_with_exit_2(folder: ScenarioFolder) -> None:
    folder.set("supply.csv", 2, "source", "front")  # the demand's own (front) node
    res = CliRunner().invoke(app, ["validate", str(folder.root)])
    assert res.exit_code == 2, res.output
    assert "supply.csv, row 2, column 'source'" in res.output
    assert "not a depot" in res.output


def test_depot_or_empty_source_is_accepted(folder: ScenarioFolder) -> None:
    s = folder.load()  # row 1: source depot; row 2: empty
    assert list(s.supply["source"]) == ["depot", ""]


def test_set_that_turns_a_source_into_a_non_depot_is_blamed(folder: ScenarioFolder) -> None:
    with pytest.raises(ScenarioError) as info:
        apply_sets(folder.load(), ["nodes.depot.kind=port"])
    [issue] = info.value.issues
    assert issue.file == "--set"
    assert "supply.csv, row 1, column 'source'" in issue.message
    assert "not a depot" in issue.message


# --- 8: --set on units -------------------------------------------------------------------


def test_set_edits_a_scenario_unit_template(folder: ScenarioFolder) -> None:
    s = folder.load()  # m2 is 2 x recon (120 pax, 5 t)
    t = apply_sets(s, ["units.recon.pax=10", "units.recon.supplies_t=7"])
    assert t.units.at["recon", "pax"] == 10
    assert t.movements.at["m2", "pax"] == 20
    assert t.movements.at["m2", "supplies_t"] == 14
    assert s.units.at["recon", "pax"] == 120  # the original is untouched


def test_set_edits_a_built_in_unit_template(folder: ScenarioFolder) -> None:
    s = folder.load()  # m1 is 1 x efp_bg, a built-in template
    t = apply_sets(s, ["units.efp_bg.pax=7", "units.efp_bg.equipment=dingo_x:3"])
    assert t.movements.at["m1", "pax"] == 7
    assert t.movements.at["m1", "equipment"] == {"dingo_x": 3}
    assert t.units.at["efp_bg", "name"] == catalogs.units().at["efp_bg", "name"]
    assert catalogs.units().at["efp_bg", "pax"] != 7  # the catalog is untouched


def test_set_on_units_through_the_cli(folder: ScenarioFolder, tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["plan", str(folder.root), "--out", str(tmp_path / "o"),
                                   "-q", "--set", "units.recon.pax=abc"])
    assert res.exit_code == 2, res.output
    assert "'units.recon.pax=abc'" in res.output and "not a number" in res.output
    assert "table must be one of" not in res.output


UNIT_BAD = [
    ("units.recon.pax=-1", "out of range (pax must be >= 0)"),
    ("units.recon.pax=1.5", "not a whole number"),
    ("units.recon.pax=unlimited", "cannot be unlimited"),
    ("units.recon.equipment=leopard9:1", "unknown equipment type 'leopard9'"),
    ("units.recon.equipment=leopard2a6", "not type:count"),
    ("units.recon.supplies_t=1_000", "'1_000' is not a number"),  # as in a file cell
    ("units.nosuch.pax=1", "no units row with id 'nosuch'"),
    ("units.recon.id=x", "'id' is not an editable column"),
]


@pytest.mark.parametrize(("text", "says"), UNIT_BAD, ids=[t for t, _ in UNIT_BAD])
def test_bad_unit_sets_are_refused_as_on_load(folder: ScenarioFolder, text: str,
                                              says: str) -> None:
    with pytest.raises(ScenarioError) as info:
        apply_sets(folder.load(), [text])
    [issue] = info.value.issues
    assert issue.file == "--set" and says in issue.message, issue.message


def test_supply_has_no_id_so_set_says_to_edit_the_file(folder: ScenarioFolder) -> None:
    with pytest.raises(ScenarioError) as info:
        apply_sets(folder.load(), ["supply.1.t_per_day=5"])
    [issue] = info.value.issues
    assert "units" in issue.message  # the list of editable tables
    assert "supply has no id column" in issue.message and "supply.csv" in issue.message


def test_set_unlimited_where_the_file_accepts_it(folder: ScenarioFolder) -> None:
    # max_item_mlc's default is derived ("from type, else unlimited"), yet a file cell may
    # say unlimited: so may a --set
    t = apply_sets(folder.load(), ["carriers.trucks.max_item_mlc=unlimited"])
    assert math.isinf(t.carriers.at["trucks", "max_item_mlc"])
