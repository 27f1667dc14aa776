"""Monte Carlo: same seed, same summary, whatever the backend and worker count."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from corridor.scenario import Scenario
from corridor.sim import simulate

from .test_movement import CONSERVE

ScenarioYaml = Callable[[str], Scenario]
LONGER = CONSERVE.replace("horizon_days: 6", "horizon_days: 20")


def summary_bytes(folder: Path) -> bytes:
    """summary.json without its timing field."""
    doc = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    doc.pop("wall_seconds")
    return json.dumps(doc, sort_keys=False).encode()


def test_one_and_two_workers_give_the_same_summary(scenario_yaml: ScenarioYaml,
                                                   tmp_path: Path) -> None:
    s = scenario_yaml(CONSERVE)
    one = simulate(s, 24, 7, workers=1, progress=False)
    two = simulate(s, 24, 7, workers=2, progress=False)
    one.write(tmp_path / "one")
    two.write(tmp_path / "two")
    assert summary_bytes(tmp_path / "one") == summary_bytes(tmp_path / "two")
    assert one.runs.equals(two.runs)
    other = simulate(s, 24, 8, workers=1, progress=False)
    other.write(tmp_path / "other")
    assert summary_bytes(tmp_path / "other") != summary_bytes(tmp_path / "one")


def test_runs_differ_and_the_summary_says_so(scenario_yaml: ScenarioYaml) -> None:
    res = simulate(scenario_yaml(LONGER), 16, 3, workers=1, progress=False)
    s = res.summary
    assert s["kind"] == "simulation" and s["runs"] == 16 and s["complete"]
    runs = res.runs[res.runs["movement"] == "bulk"]
    bulk = runs["closure_day"]
    # random travel times and outages spread the closure (a run in which a ship is sunk
    # with bulk aboard never closes: the movement is short, model.md "Cargo")
    assert bulk.notna().sum() >= 4 and bulk.nunique() > 1
    assert (bulk.notna() == ~runs["short"]).all()
    c = s["closure_day"]  # null where the percentile falls on a run that never closed
    q = [c["p10"], c["p50"], c["p90"]]
    known = [x for x in q if x is not None]
    assert known == sorted(known) and q[:len(known)] == known  # a null only at the top
    assert s["events"] > 0 and s["trips"] > 0


def test_deterministic_runs_are_all_alike(scenario_yaml: ScenarioYaml) -> None:
    s = scenario_yaml(LONGER.replace("loss_prob: 0.2", "loss_prob: 0.0"))
    res = simulate(s, 4, 1, workers=1, progress=False, deterministic=True)
    per_run = res.runs.pivot(index="run", columns="movement", values="closure_day")
    assert per_run.notna().all().all() and (per_run.nunique() == 1).all()


@pytest.mark.ray
def test_ray_backend_gives_the_local_summary(scenario_yaml: ScenarioYaml,
                                             tmp_path: Path) -> None:
    import ray  # the ray extra, which scripts/test.sh installs
    s = scenario_yaml(CONSERVE)
    local = simulate(s, 12, 5, workers=2, progress=False)
    local.write(tmp_path / "local")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        remote = simulate(s, 12, 5, backend="ray", workers=2, progress=False)
    finally:
        ray.shutdown()
    remote.write(tmp_path / "ray")
    assert summary_bytes(tmp_path / "ray") == summary_bytes(tmp_path / "local")


def test_a_sweep_interrupted_before_any_run_still_has_a_summary(
        scenario_yaml: ScenarioYaml) -> None:
    from corridor.sim.model import compile_model
    from corridor.sim.options import options_from
    from corridor.sim.summary import build_summary, run_tables

    s = scenario_yaml(CONSERVE)
    model = compile_model(s, options_from(s))
    summary = build_summary(model, [], runs=10, seed=1, scenario=s.name, source="",
                            plan_dir=None, deterministic=False, complete=False,
                            wall_seconds=0.0)
    assert summary["runs_done"] == 0 and summary["complete"] is False
    assert summary["closure_day"]["p50"] is None
    assert len(run_tables(model, [])["runs"]) == 0
