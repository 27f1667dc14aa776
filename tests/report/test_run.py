"""`corridor run`: validate → plan → simulate → report, and `corridor report` on
its folder afterwards. The orchestration test swaps in stand-in engines that
write fabricated result folders (fabricate.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.report import commands
from corridor.scenario import Scenario

from .conftest import HERE
from .fabricate import fabricate_plan, fabricate_simulation


class _StandIn:
    """What the engines return: a summary and write(folder)."""

    def __init__(self, summary: dict[str, Any], write: Any) -> None:
        self.summary = summary
        self.write = write


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    log: list[tuple[str, Any]] = []
    written: dict[str, Any] = {}

    def solve_plan(s: Scenario, *, time_limit: float | None = None, **_: Any) -> _StandIn:
        log.append(("plan", time_limit))

        def write(folder: Path) -> None:
            written["plan"] = fabricate_plan(s, folder)

        return _StandIn({"status": "optimal", "closure_day": 15.0}, write)

    def simulate(s: Scenario, runs: int, seed: int, *, plan_dir: Path | None = None,
                 **_: Any) -> _StandIn:
        log.append(("simulate", (runs, seed, plan_dir)))
        return _StandIn({"closure_day": {"p10": 15.0, "p50": 16.0, "p90": 17.0}},
                        lambda folder: fabricate_simulation(s, written["plan"], folder,
                                                            runs=runs, seed=seed))

    monkeypatch.setattr(commands, "_engines", lambda: (solve_plan, simulate))
    return log


def test_run_writes_plan_simulation_and_report(calls: list[tuple[str, Any]], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "res"
    scenario = str(HERE / "transatlantic.yaml")
    args = ["run", scenario, "--out", str(out), "--runs", "30", "--seed", "5",
            "--time-limit", "20", "--no-images"]
    monkeypatch.setattr(sys, "argv", ["corridor", *args])  # what command_line() records
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert calls == [("plan", 20.0), ("simulate", (30, 5, out / "plan"))]
    for f in ("plan/summary.json", "plan/flows.parquet", "simulation/summary.json",
              "simulation/runs.parquet", "report.html", "report_tables/movements.csv",
              "run.json"):
        assert (out / f).is_file(), f
    meta = json.loads((out / "run.json").read_text("utf-8"))
    assert meta["scenario_source"].endswith("transatlantic.yaml")
    assert "--runs 30" in meta["command"]
    text = (out / "report.html").read_text("utf-8")
    assert "--runs 30" in text and 'id="fig-map"' in text

    # Re-rendering later finds the scenario through run.json, and keeps the run command.
    again = tmp_path / "again.html"
    args = ["report", str(out), "--out", str(again), "--no-images"]
    monkeypatch.setattr(sys, "argv", ["corridor", *args])
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    text = again.read_text("utf-8")
    assert 'id="fig-map"' in text and "--runs 30" in text


def test_run_rejects_a_bad_scenario(calls: list[tuple[str, Any]], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((HERE / "transatlantic.yaml").read_text("utf-8")
                   .replace("lat: 53.54", "lat: 953.54"), "utf-8")
    res = CliRunner().invoke(app, ["run", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "lat" in res.output and "Traceback" not in res.output
    assert calls == []
