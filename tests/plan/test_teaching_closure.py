"""The planner against the teaching scenarios' hand-derived answers.

Each expected closure is computed here from the scenario's own tables with the
formula its description works out, so a changed number in the data cannot pass
silently; the planner must match within one planner step.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from corridor.plan import solve_plan
from corridor.scenario import Scenario, load_scenario


def _closure(s: Scenario, movement: str) -> float:
    result = solve_plan(s, progress=False)
    assert result.summary["status"] in ("optimal", "feasible")
    rows = {m["id"]: m for m in result.summary["movements"]}
    closure = rows[movement]["closure_day"]
    assert closure is not None
    return float(closure)


def test_single_link_closure_is_cargo_over_capacity_plus_travel() -> None:
    s = load_scenario("single-link")
    fleet = s.carriers.iloc[0]
    link = s.links.iloc[0]
    move = s.movements.iloc[0]
    trips = math.ceil(move["supplies_t"] / fleet["capacity_t"])
    per_step = link["capacity_per_day"] * s.step_h / 24
    steps = math.ceil(trips / per_step)
    travel_h = fleet["load_h"] + link["distance_km"] / fleet["speed_kmh"] + fleet["unload_h"]
    expected = ((steps - 1) * s.step_h + travel_h) / 24
    assert _closure(s, move["id"]) == pytest.approx(expected, abs=s.step_h / 24)


def test_fleet_cycle_closure_follows_round_trips() -> None:
    s = load_scenario("fleet-cycle")
    fleet = s.carriers.iloc[0]
    link = s.links.iloc[0]
    move = s.movements.iloc[0]
    items = sum(move["equipment"].values())
    one_way = link["distance_km"] / fleet["speed_kmh"]
    trip = fleet["load_h"] + one_way + fleet["unload_h"]
    round_trip = trip + one_way
    rounds = math.ceil(items / fleet["count"])  # one tank per low-loader
    expected = ((rounds - 1) * round_trip + trip) / 24
    assert _closure(s, move["id"]) == pytest.approx(expected, abs=s.step_h / 24)


def test_bridge_detour_heavy_items_take_the_detour() -> None:
    s = load_scenario("bridge-detour")
    fleet = s.carriers.iloc[0]
    detour_km = s.links.loc[["rd_detour_w", "rd_detour_e"], "distance_km"].sum()
    heavy = fleet["load_h"] + detour_km / fleet["speed_kmh"] + fleet["unload_h"]
    result = solve_plan(s, progress=False)
    rows = {m["id"]: m for m in result.summary["movements"]}
    assert rows["heavy"]["closure_day"] == pytest.approx(heavy / 24, abs=s.step_h / 24)
    flows = result.flows
    heavy_links = set(flows.loc[flows["movement"] == "heavy", "link"])
    assert "rd_bridge" not in heavy_links  # MLC 70 never on the MLC 50 bridge
    hmmwv = s.equipment.loc["hmmwv"]
    light = s.links.loc["rd_bridge", "distance_km"] / hmmwv["road_march_km_per_day"] * 24
    assert rows["light"]["closure_day"] == pytest.approx(light / 24, abs=s.step_h / 24)


def test_gauge_break_transshipment_binds() -> None:
    s = load_scenario("gauge-break")
    move = s.movements.iloc[0]
    border = s.nodes.loc["border"]
    legs_h = (s.links["distance_km"] / s.carriers["speed_kmh"].iloc[0]).sum()
    days_at_border = move["supplies_t"] / border["transship_t_per_day"]
    expected = (legs_h + border["transfer_h"]) / 24 + days_at_border
    assert _closure(s, move["id"]) == pytest.approx(expected, abs=s.step_h / 24)
    result = solve_plan(s, progress=False)
    top = result.summary["bottlenecks"][0]
    assert top["id"] == "border", top


def test_plan_command_writes_result_folder(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from corridor.cli import app
    from corridor.results import read_summary

    out = tmp_path / "plan"
    r = CliRunner().invoke(app, ["plan", "single-link", "--out", str(out), "-q"])
    assert r.exit_code == 0, r.output
    summary = read_summary(out)
    assert summary["format"] == "corridor-result/1" and summary["kind"] == "plan"
    for name in ("flows.parquet", "arrivals.parquet"):
        assert (out / name).is_file()
    out2 = tmp_path / "plan2"
    r = CliRunner().invoke(app, ["plan", "single-link", "--out", str(out2), "-q", "--set",
                                 "links.rd_depot_camp.capacity_per_day=16"])
    assert r.exit_code == 0, r.output
    # twice the departures: the link-bound closure halves (minus the travel time)
    a, b = (read_summary(d)["closure_day"] for d in (out, out2))
    assert b < a
    r = CliRunner().invoke(app, ["compare", str(out), str(out2)])
    assert r.exit_code == 0 and "sup1" in r.output


def test_bad_what_if_exits_2_naming_it() -> None:
    from typer.testing import CliRunner

    from corridor.cli import app

    r = CliRunner().invoke(app, ["plan", "single-link", "--set", "links.nope.max_mlc=80"])
    assert r.exit_code == 2
    assert "links.nope.max_mlc=80" in r.output and "Traceback" not in r.output
