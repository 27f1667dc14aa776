"""``--set table.id.column=value`` what-ifs: applied when valid, all reported when not."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from corridor.scenario import ScenarioError
from corridor.scenario.whatif import apply_sets

from .conftest import ScenarioFolder


def test_valid_sets_apply_to_a_copy(folder: ScenarioFolder) -> None:
    s = folder.load()
    t = apply_sets(s, [
        "links.h2.capacity_per_day=12",
        "carriers.het.count=25",
        "nodes.hub.handling_t_per_day=unlimited",
        "links.h3.bidirectional=true",
        "links.r1.mode=road",
        "carriers.trucks.home=depot",
        "movements.m1.via=hub;depot",
        "disruptions.d1.capacity_factor=0.25",
    ])
    assert t.links.at["h2", "capacity_per_day"] == 12
    assert t.carriers.at["het", "count"] == 25
    assert math.isinf(t.nodes.at["hub", "handling_t_per_day"])
    assert t.links.at["h3", "bidirectional"]
    assert t.links.at["r1", "mode"] == "road"
    assert t.carriers.at["trucks", "home"] == "depot"
    assert t.movements.at["m1", "via"] == ("hub", "depot")
    assert t.disruptions.at["d1", "capacity_factor"] == 0.25
    # the original is untouched
    assert math.isinf(s.links.at["h2", "capacity_per_day"])
    assert s.carriers.at["het", "count"] == 20 and not s.links.at["h3", "bidirectional"]


def test_equipment_edit_updates_movement_loads(folder: ScenarioFolder) -> None:
    s = folder.load()
    t = apply_sets(s, ["movements.m3.equipment=leopard2a6:2", "movements.m3.supplies_t=0"])
    mass = s.equipment.at["leopard2a6", "mass_t"]
    assert t.movements.at["m3", "equipment"] == {"leopard2a6": 2}
    assert t.movements.at["m3", "mass_t"] == pytest.approx(2 * mass)
    u = apply_sets(s, ["equipment.dingo_x.mass_t=20"])
    # m2 carries 20 dingo_x: 7.5 t more each
    assert u.movements.at["m2", "mass_t"] - s.movements.at["m2", "mass_t"] == pytest.approx(
        20 * 7.5
    )


def test_ids_may_contain_dots(folder: ScenarioFolder) -> None:
    folder.add_row("nodes.csv", id="pl.gdansk", kind="port", lat="54.35", lon="18.65",
                   country="PL")
    t = apply_sets(folder.load(), ["nodes.pl.gdansk.beds=10"])
    assert t.nodes.at["pl.gdansk", "beds"] == 10


BAD = [
    ("links.h2.capacity_per_day", "no '=' at all"),
    ("supply.x.t_per_day=1", "table must be one of"),
    ("links.h9.capacity_per_day=1", "no links row with id 'h9'"),
    ("links.h2.capacity=1", "'capacity' is not an editable column"),
    ("links.h2.id=h7", "'id' is not an editable column"),
    ("links.h2.capacity_per_day=lots", "'lots' is not a number"),
    ("nodes.hub.lat=100", "out of range"),
    ("carriers.het.count=2.5", "not a whole number"),
    ("carriers.het.count=inf", "cannot be unlimited"),
    ("nodes.hub.beds=unlimited", "cannot be unlimited"),
    ("disruptions.d1.loss_prob=nan", "out of range"),
    ("links.h3.bidirectional=ture", "'ture' is not true/false"),
    ("links.h3.mode=hovercraft", "not one of"),
    ("carriers.het.home=atlantis", "unknown node 'atlantis'"),
    ("movements.m1.via=hub;atlantis", "unknown node 'atlantis'"),
    ("movements.m1.equipment=leopard9:1", "unknown equipment type 'leopard9'"),
    ("movements.m1.equipment=leopard2a6", "not type:count"),
]


def test_invalid_sets_are_all_reported(folder: ScenarioFolder) -> None:
    s = folder.load()
    sets = [b for b, _ in BAD]
    sets[0] = "links.h2.capacity_per_day"
    with pytest.raises(ScenarioError) as info:
        apply_sets(s, [*sets, "links.h2.capacity_per_day=7"])  # a good one among them
    issues = info.value.issues
    assert len(issues) == len(BAD)
    for issue, (text, says) in zip(issues, BAD, strict=True):
        assert issue.file == "--set"
        assert text in issue.message and (says in issue.message or says.startswith("no '"))


@pytest.mark.parametrize("text,says", BAD[1:], ids=[b for b, _ in BAD[1:]])
def test_each_invalid_set(folder: ScenarioFolder, text: str, says: str) -> None:
    with pytest.raises(ScenarioError) as info:
        apply_sets(folder.load(), [text])
    [issue] = info.value.issues
    assert says in issue.message


# --- an edit resolves as the same value read from the file would -----------------------

@pytest.mark.parametrize(("target", "kind"), [("hub", "node"), ("h2", "link"),
                                              ("mode:road", "mode"), ("country:DE", "country")])
def test_disruption_target_edit_gets_its_kind(folder: ScenarioFolder, target: str,
                                              kind: str) -> None:
    t = apply_sets(folder.load(), [f"disruptions.d1.target={target}"])
    assert t.disruptions.at["d1", "target"] == target
    assert t.disruptions.at["d1", "target_kind"] == kind


def test_movement_count_and_unit_edits_expand_the_template_again(
        folder: ScenarioFolder) -> None:
    s = folder.load()  # m2 is 2 x recon (120 pax, dingo_x:10;hx2_truck:4, 5 t)
    one = apply_sets(s, ["movements.m2.count=1"])
    assert one.movements.at["m2", "pax"] == 120
    assert one.movements.at["m2", "equipment"] == {"dingo_x": 10, "hx2_truck": 4}
    assert one.movements.at["m2", "supplies_t"] == 5
    assert one.movements.at["m2", "mass_t"] == pytest.approx(s.movements.at["m2", "mass_t"] / 2)
    other = apply_sets(s, ["movements.m2.unit=efp_bg"])
    efp = folder.load().units.loc["efp_bg"]
    assert other.movements.at["m2", "pax"] == 2 * efp["pax"]
    with pytest.raises(ScenarioError) as info:
        apply_sets(s, ["movements.m2.unit=xyz"])
    [issue] = info.value.issues
    assert issue.file == "--set" and issue.column == "unit"
    assert "'movements.m2.unit=xyz'" in issue.message
    assert "unknown unit template 'xyz'" in issue.message


CROSS_FIELD = [
    (["movements.m1.ready_day=11"], "due_day 10 is before ready_day 11"),
    (["movements.m1.destination=bremerhaven"], "destination is the same as origin"),
    (["links.h2.from=depot"], "link starts and ends at the same node 'depot'"),
    (["carriers.trucks.capacity_t=0", "carriers.trucks.capacity_m2=0"], "has no capacity"),
    (["carriers.trucks.speed_kmh=0"], "speed must be a finite number > 0"),
    (["movements.m4.supplies_t=0"], "moves nothing"),
    (["disruptions.d1.start_day=8"], "end_day 7 is before start_day 8"),
    (["disruptions.d1.rate_per_day=1", "disruptions.d1.mean_duration_days=1"],
     "give either a window (start_day, end_day) or a rate, not both"),
    (["disruptions.d1.target=zzz"], "'zzz' is not a link id, node id"),
]


@pytest.mark.parametrize(("sets", "says"), CROSS_FIELD, ids=[c[0][0] for c in CROSS_FIELD])
def test_cross_field_checks_apply_to_sets(folder: ScenarioFolder, sets: list[str],
                                          says: str) -> None:
    folder.add_row("movements.csv", id="m4", origin="hub", destination="front", due_day="5",
                   supplies_t="50", kind="supply")
    with pytest.raises(ScenarioError) as info:
        apply_sets(folder.load(), sets)
    [issue] = info.value.issues
    assert issue.file == "--set" and says in issue.message
    assert any(f"'{s}'" in issue.message for s in sets)  # the set to undo is named


def test_an_issue_elsewhere_names_the_sets_and_where(folder: ScenarioFolder) -> None:
    # d3 targets country:PL, which no node is in once hub and depot move to DE
    with pytest.raises(ScenarioError) as info:
        apply_sets(folder.load(), ["nodes.hub.country=DE", "nodes.depot.country=DE"])
    [issue] = info.value.issues
    assert issue.file == "--set"
    assert issue.message.startswith("after 'nodes.hub.country=DE', 'nodes.depot.country=DE'")
    assert "disruptions.csv, row 3, column 'target': no node is in country 'PL'" in \
        issue.message


# sets, and the cells (file, data row, column, value) they stand for
SAME_AS_FILE: list[tuple[list[str], list[tuple[str, int, str, str]]]] = [
    (["links.h1.to=depot"], [("links.csv", 2, "to", "depot")]),  # distance_km derived
    (["nodes.hub.lat=51.5"], [("nodes.csv", 2, "lat", "51.5")]),  # r1, h1 distances
    (["carriers.trains.home=front"], [("carriers.csv", 3, "home", "front")]),  # gauge
    (["carriers.trucks.type=het_mammut"], [("carriers.csv", 2, "type", "het_mammut")]),
    (["disruptions.d4.start_day=2", "disruptions.d4.end_day=4"],  # kind, capacity_factor
     [("disruptions.csv", 4, "start_day", "2"), ("disruptions.csv", 4, "end_day", "4")]),
    (["movements.m2.count=3"], [("movements.csv", 2, "count", "3")]),
    (["equipment.dingo_x.mass_t=20"], [("equipment.csv", 1, "mass_t", "20")]),
]


@pytest.mark.parametrize(("sets", "cells"), SAME_AS_FILE, ids=[c[0][0] for c in SAME_AS_FILE])
def test_a_set_gives_the_scenario_the_edited_file_gives(
        folder: ScenarioFolder, sets: list[str], cells: list[tuple[str, int, str, str]]
) -> None:
    t = apply_sets(folder.load(), sets)
    for cell in cells:
        folder.set(*cell)
    want = folder.load()
    for name in ("nodes", "links", "equipment", "carriers", "units", "movements", "supply",
                 "disruptions"):
        pd.testing.assert_frame_equal(getattr(t, name), getattr(want, name), obj=name)


def test_derived_values_follow_the_edit(folder: ScenarioFolder) -> None:
    s = folder.load()
    t = apply_sets(s, ["carriers.trains.home=front", "disruptions.d4.start_day=2",
                       "disruptions.d4.end_day=4", "links.h1.to=depot"])
    assert s.carriers.at["trains", "rail_gauge_mm"] == 1435
    assert t.carriers.at["trains", "rail_gauge_mm"] == 1520  # the home node's gauge
    assert s.disruptions.at["d4", "kind"] == "standing"
    assert t.disruptions.at["d4", "kind"] == "window"
    assert t.disruptions.at["d4", "capacity_factor"] == 0.0  # a window closes by default
    assert t.links.at["h1", "distance_km"] != s.links.at["h1", "distance_km"]


def test_a_built_in_equipment_type_can_be_edited(folder: ScenarioFolder) -> None:
    s = folder.load()  # m3 carries leopard2a6:4, a catalog type
    t = apply_sets(s, ["equipment.leopard2a6.mass_t=70"])
    was = s.equipment.at["leopard2a6", "mass_t"]
    assert t.equipment.at["leopard2a6", "mass_t"] == 70
    assert t.equipment.at["leopard2a6", "name"] == s.equipment.at["leopard2a6", "name"]
    assert t.movements.at["m3", "mass_t"] - s.movements.at["m3", "mass_t"] == \
        pytest.approx(4 * (70 - was))


def test_sets_chain_and_respect_dropped_rows(folder: ScenarioFolder) -> None:
    s = folder.load()
    t = apply_sets(apply_sets(s, ["movements.m2.count=1"]), ["carriers.het.count=3"])
    assert t.movements.at["m2", "pax"] == 120 and t.carriers.at["het", "count"] == 3
    sub = s.with_tables(movements=s.movements.loc[["m1", "m3"]])
    u = apply_sets(sub, ["movements.m1.priority=2"])
    assert list(u.movements.index) == ["m1", "m3"] and u.movements.at["m1", "priority"] == 2
    changed = s.movements.copy()
    changed.loc["m1", "due_day"] = 20.0
    with pytest.raises(ValueError, match="beyond dropping rows"):
        apply_sets(s.with_tables(movements=changed), ["movements.m1.priority=2"])


# --- through the command line -------------------------------------------------------------

TINY = """\
format: corridor/1
horizon_days: 5
planner: {step_h: 1}
nodes:
  - {id: a, kind: depot, lat: 52.0, lon: 10.0, country: DE}
  - {id: b, kind: staging_area, lat: 52.0, lon: 11.0, country: DE}
links:
  - {id: ab, from: a, to: b, mode: road, distance_km: 120}
carriers:
  - {id: trk, mode: road, count: 1, home: a, capacity_t: 100, capacity_m2: 30,
     capacity_pax: 10, speed_kmh: 60}
equipment:
  - {id: crate, mass_t: 1, footprint_m2: 10, mlc: 2}
units:
  - {id: cratepl, pax: 5, equipment: "crate:5"}
movements:
  - {id: m1, unit: cratepl, count: 2, origin: a, destination: b, ready_day: 0, due_day: 2}
"""
CUT = """\
disruptions:
  - {id: cut, target: ab, start_day: 0, end_day: 1}
"""


def _plan(tmp_path: Path, name: str, *sets: str, extra: str = ""
          ) -> tuple[int, str, dict[str, Any]]:
    """``corridor plan`` of TINY (+ ``extra``) with ``sets``: exit code, output, summary."""
    from typer.testing import CliRunner

    from corridor.cli import app

    src = tmp_path / "tiny.yaml"
    src.write_text(TINY + extra, encoding="utf-8")
    out = tmp_path / name
    args = ["plan", str(src), "--out", str(out), "-q"]
    res = CliRunner().invoke(app, [*args, *(a for s in sets for a in ("--set", s))])
    sm = json.loads((out / "summary.json").read_text()) if res.exit_code == 0 else {}
    return res.exit_code, res.output, sm


def test_cli_count_set_replans_the_template(tmp_path: Path) -> None:
    # 1 x cratepl = 5 pax + 5 crates: one truck (30 m2 = 3 crates a trip) runs 2 trips,
    # 2 h out and 2 h back: 2 + 2 + 2 = 6 h = 0.25 d (2 x cratepl takes 4 trips, 14 h)
    code, out, sm = _plan(tmp_path, "one", "movements.m1.count=1")
    assert code == 0, out
    assert sm["closure_day"] == pytest.approx(0.25, abs=1e-3)
    assert sm["sets"] == ["movements.m1.count=1"]


def test_cli_disruption_target_set(tmp_path: Path) -> None:
    code, out, _ = _plan(tmp_path, "node", "disruptions.cut.target=a", extra=CUT)
    assert code == 0, out
    code, out, _ = _plan(tmp_path, "bad", "disruptions.cut.target=zzz", extra=CUT)
    assert code == 2, out
    assert "disruptions.cut.target=zzz" in out and "column 'target'" in out
    assert "is not a link id, node id" in out
