"""``corridor simulate``: files written, clear errors for bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.scenario import Scenario, ScenarioError
from corridor.sim.options import options_from

ScenarioYaml = Callable[[str], Scenario]
runner = CliRunner()


def test_simulate_writes_the_result_folder(tmp_path: Path) -> None:
    out = tmp_path / "sim"
    res = runner.invoke(app, ["simulate", "gauge-break", "--runs", "6", "--seed", "4",
                              "--out", str(out), "--workers", "1", "--quiet"])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["format"] == "corridor-result/1" and summary["kind"] == "simulation"
    assert summary["runs"] == summary["runs_done"] == 6 and summary["seed"] == 4
    assert [m["id"] for m in summary["movements"]] == ["aid1"]
    runs = pd.read_parquet(out / "runs.parquet")
    assert {"run", "movement", "closure_day", "on_time", "lost_t"} <= set(runs.columns)
    assert len(runs) == 6
    for name in ("run_totals", "losses", "stockouts", "arrivals"):
        assert (out / f"{name}.parquet").is_file()


@pytest.mark.parametrize("args, needle", [
    (["--backend", "spark"], "--backend must be local or ray"),
    (["--address", "ray://x:10001"], "--address needs --backend ray"),
    (["--plan", "/no/such/plan"], "no such folder"),
])
def test_bad_options_exit_2_with_a_message(args: list[str], needle: str,
                                           tmp_path: Path) -> None:
    res = runner.invoke(app, ["simulate", "single-link", "--runs", "2", "--out",
                              str(tmp_path / "x"), "--quiet", *args])
    assert res.exit_code == 2
    assert needle in res.output


def test_a_folder_without_flows_is_not_a_plan(tmp_path: Path) -> None:
    (tmp_path / "plan").mkdir()
    res = runner.invoke(app, ["simulate", "single-link", "--runs", "2", "--plan",
                              str(tmp_path / "plan"), "--out", str(tmp_path / "x"), "--quiet"])
    assert res.exit_code == 2 and "flows.parquet" in res.output


def test_bad_simulation_options_name_the_key(scenario_yaml: ScenarioYaml) -> None:
    body = """
name: opts
horizon_days: 5
simulation: {travel_cv: {road: -1, boat: 0.1}, distribution: gamma, hold: 3}
nodes:
  - {id: a, kind: depot, lat: 50, lon: 10}
  - {id: b, kind: depot, lat: 50, lon: 11}
links:
  - {id: ab, from: a, to: b, mode: road}
movements:
  - {id: m, origin: a, destination: b, due_day: 3, supplies_t: 10}
"""
    with pytest.raises(ScenarioError) as e:
        options_from(scenario_yaml(body))
    cols = {i.column for i in e.value.issues}
    assert cols == {"simulation.travel_cv.road", "simulation.travel_cv.boat",
                    "simulation.distribution", "simulation.hold"}
    assert all(i.file == "case.yaml" for i in e.value.issues)  # the file it came from


def test_the_summary_has_a_medical_block_without_a_medical_scenario(tmp_path: Path) -> None:
    """results-format.md lists ``medical`` for every simulation (no field may be
    dropped): a scenario without a ``medical:`` block gets it with zero casualties,
    shares of 0 of 0 cases judged (the spec shows numbers), no time to surgery, peak
    beds 0 for the spec's roles; ``modelled`` says it was not simulated."""
    out = tmp_path / "sim"
    res = runner.invoke(app, ["simulate", "single-link", "--runs", "2", "--seed", "4",
                              "--out", str(out), "--workers", "1", "--quiet"])
    assert res.exit_code == 0, res.output
    med = json.loads((out / "summary.json").read_text(encoding="utf-8"))["medical"]
    assert med["modelled"] is False
    assert med["casualties"]["mean"] == 0.0 and med["died_of_wounds"]["mean"] == 0.0
    zero = {"mean": 0.0, "p10": 0.0, "p50": 0.0, "p90": 0.0}
    assert med["share_surgery_within_limit"] == zero
    assert med["share_evacuated_within_limit"] == zero
    assert med["surgical_cases_judged"] == zero and med["evacuations_judged"] == zero
    assert med["time_to_surgery_h"]["mean"] is None  # nobody operated: no time
    assert med["peak_beds"] == {"role2": zero, "role3": zero}
    assert "medical:" not in res.output  # nothing to say on the console


def _plan_folder(folder: Path, scenario: str, movements: list[str]) -> Path:
    folder.mkdir()
    flows = pd.DataFrame([{"movement": "m", "cargo_class": "bulk", "link": "x", "from": "a",
                           "to": "b", "mode": "road", "carrier": "trucks", "depart_day": 0.1,
                           "arrive_day": 0.2, "trips": 1.0, "t": 10.0, "pax": 0.0,
                           "m2": 0.0, "items": "{}"}])
    flows.to_parquet(folder / "flows.parquet")
    (folder / "summary.json").write_text(json.dumps({
        "format": "corridor-result/1", "kind": "plan", "scenario": scenario,
        "movements": [{"id": m} for m in movements]}), encoding="utf-8")
    return folder


def test_a_plan_of_another_scenario_is_an_error(tmp_path: Path) -> None:
    """--plan with a plan written for another scenario exits 2 naming both scenarios,
    rather than simulating every class as 'no route in the plan'."""
    plan = _plan_folder(tmp_path / "plan", "shared-sailing", ["e1", "s1"])
    res = runner.invoke(app, ["simulate", "single-link", "--runs", "1", "--plan", str(plan),
                              "--out", str(tmp_path / "x"), "--quiet"], terminal_width=200)
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    assert "the plan is of scenario 'shared-sailing'" in text
    assert "another scenario" in text


def test_a_plan_with_other_movements_is_an_error(tmp_path: Path) -> None:
    from corridor.scenario import load_scenario

    s = load_scenario("single-link")
    ours = [str(x) for x in s.movements.index]
    plan = _plan_folder(tmp_path / "plan", s.name, [*ours[1:], "zz"])
    res = runner.invoke(app, ["simulate", "single-link", "--runs", "1", "--plan", str(plan),
                              "--out", str(tmp_path / "x"), "--quiet"], terminal_width=200)
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    assert f"does not plan movement(s) '{ours[0]}'" in text and "'zz'" in text


def test_q_is_short_for_quiet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``-q`` as for ``corridor plan`` and ``corridor evacuate``: no progress bar."""
    from corridor.sim import api

    seen: dict[str, object] = {}
    real = api.simulate

    def spy(*args: object, **kwargs: object) -> object:
        seen.update(kwargs)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(api, "simulate", spy)
    out = tmp_path / "sim"
    res = runner.invoke(app, ["simulate", "single-link", "--runs", "1", "--deterministic",
                              "--workers", "1", "--out", str(out), "-q"])
    assert res.exit_code == 0, res.output
    assert seen["progress"] is False
    assert (out / "summary.json").is_file()
