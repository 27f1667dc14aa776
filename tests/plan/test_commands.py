"""``corridor plan`` and ``corridor compare`` end to end, and the result folder format."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from corridor.cli import app

runner = CliRunner()
SPEC_FIELDS = {"format", "kind", "scenario", "status", "closure_day", "movements",
               "bottlenecks", "unmet", "model", "solve_seconds"}


def plan(tmp_path: Path, name: str, *args: str) -> Path:
    out = tmp_path / name
    res = runner.invoke(app, ["plan", "fleet-cycle", "--out", str(out), "--quiet", *args])
    assert res.exit_code == 0, res.output
    return out


def test_plan_writes_a_corridor_result_folder(tmp_path: Path) -> None:
    out = plan(tmp_path, "base")
    sm = json.loads((out / "summary.json").read_text())
    assert set(sm) >= SPEC_FIELDS
    assert sm["format"] == "corridor-result/1" and sm["kind"] == "plan"
    assert {"id", "due_day", "closure_day", "late_days"} <= set(sm["movements"][0])
    assert {"kind", "id", "utilization", "shadow_price", "explanation"} <= \
        set(sm["bottlenecks"][0])
    assert {"variables", "constraints", "step_h"} <= set(sm["model"])
    flows = pd.read_parquet(out / "flows.parquet")
    assert {"movement", "cargo_class", "link", "from", "to", "mode", "carrier",
            "depart_day", "arrive_day", "trips", "t", "pax", "m2", "items"} <= \
        set(flows.columns)
    assert flows["trips"].sum() == 20  # 20 tanks, one per het trip
    arrivals = pd.read_parquet(out / "arrivals.parquet")
    assert list(arrivals.columns) == ["movement", "day", "share"]
    assert arrivals["share"].iloc[-1] == 1.0
    assert not list(out.glob(".*.tmp"))  # atomic writes leave no temp files


def test_set_and_compare_show_the_per_movement_difference(tmp_path: Path) -> None:
    a = plan(tmp_path, "a")
    b = plan(tmp_path, "b", "--set", "carriers.hets.count=5")
    res = runner.invoke(app, ["compare", str(a), str(b)])
    assert res.exit_code == 0, res.output
    assert "tanks" in res.output and "-0.50" in res.output
    assert "1 movement(s) changed" in res.output


def test_compare_warns_when_the_plans_are_of_different_scenarios(tmp_path: Path) -> None:
    a = plan(tmp_path, "a")
    other = tmp_path / "other"
    res = runner.invoke(app, ["plan", "single-link", "--out", str(other), "--quiet"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["compare", str(a), str(other)])
    assert res.exit_code == 0, res.output
    assert "different scenarios" in res.output
    same = runner.invoke(app, ["compare", str(a), str(a)])
    assert "different scenarios" not in same.output


def test_bad_set_is_a_clear_error(tmp_path: Path) -> None:
    res = runner.invoke(app, ["plan", "fleet-cycle", "--out", str(tmp_path / "x"),
                              "--set", "carriers.nosuch.count=3"])
    assert res.exit_code == 2
    assert "no carriers row with id 'nosuch'" in res.output


def test_compare_refuses_a_folder_that_is_not_a_plan(tmp_path: Path) -> None:
    a = plan(tmp_path, "a")
    (tmp_path / "empty").mkdir()
    res = runner.invoke(app, ["compare", str(a), str(tmp_path / "empty")])
    assert res.exit_code == 2
    assert "not a result folder" in res.output


def test_time_limit_is_accepted_and_reported(tmp_path: Path) -> None:
    out = plan(tmp_path, "tl", "--time-limit", "30", "--gap", "0.05")
    sm = json.loads((out / "summary.json").read_text())
    assert sm["status"] in ("optimal", "feasible", "time_limit")
    assert sm["sets"] == [] and sm["command"].startswith("corridor")


def test_interrupted_solve_writes_the_best_plan_marked_time_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C inside HiGHS ends the solve with its best plan; it is still written."""
    from corridor.plan import solve as solve_mod

    original = solve_mod.Solver._run

    def interrupted(self: solve_mod.Solver, time_limit: float | None) -> tuple[str, float]:
        status, seconds = original(self, time_limit)
        self.interrupted = True
        return ("interrupted" if status == "optimal" else status), seconds

    monkeypatch.setattr(solve_mod.Solver, "_run", interrupted)
    out = plan(tmp_path, "ctrl-c")
    sm = json.loads((out / "summary.json").read_text())
    assert sm["status"] == "time_limit" and sm["interrupted"] is True
    assert sm["movements"][0]["closure_day"] is not None  # the plan found so far
