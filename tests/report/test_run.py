"""`corridor run`: validate → plan → simulate → report, and `corridor report` on
its folder afterwards. The orchestration test swaps in stand-in engines that
write fabricated result folders (fabricate.py)."""

from __future__ import annotations

import json
import re
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
    # The simulation follows the plan in the run's staging folder (swapped in at the end).
    assert calls[0] == ("plan", 20.0) and calls[1][0] == "simulate"
    runs, seed, plan_dir = calls[1][1]
    assert (runs, seed, plan_dir.name, plan_dir.parent.parent) == (30, 5, "plan", tmp_path)
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


def test_run_rejects_a_negative_seed_before_any_work(calls: list[tuple[str, Any]],
                                                      tmp_path: Path) -> None:
    # as `corridor simulate --seed`: the range is checked before planning, not after
    res = CliRunner().invoke(app, ["run", str(HERE / "transatlantic.yaml"), "--out",
                                   str(tmp_path / "o"), "--seed", "-1", "--no-images"])
    assert res.exit_code == 2, res.output
    assert "--seed" in res.output and "Traceback" not in res.output
    assert calls == [] and not (tmp_path / "o").exists()


def test_run_rejects_a_bad_scenario(calls: list[tuple[str, Any]], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((HERE / "transatlantic.yaml").read_text("utf-8")
                   .replace("lat: 53.54", "lat: 953.54"), "utf-8")
    res = CliRunner().invoke(app, ["run", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "lat" in res.output and "Traceback" not in res.output
    assert calls == []


def _run(out: Path, *extra: str) -> Any:
    args = ["run", str(HERE / "transatlantic.yaml"), "--out", str(out), "--runs", "3",
            "--no-images", *extra]
    return CliRunner().invoke(app, args)


def test_run_again_replaces_the_folder_and_a_later_report_keeps_it(
        calls: list[tuple[str, Any]], tmp_path: Path) -> None:
    out = tmp_path / "res"
    assert _run(out).exit_code == 0
    # What an earlier run or the user left: none of it belongs to the next run.
    (out / "simulation" / "losses.parquet").write_bytes(b"stale")
    (out / "report_tables" / "old-table.csv").write_text("stale", "utf-8")
    res = _run(out)
    assert res.exit_code == 0, res.output
    assert not (out / "simulation" / "losses.parquet").exists()
    assert not (out / "report_tables" / "old-table.csv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["res"]  # no staging folder left
    assert not re.search(r"\.res\.\w+\.new", (out / "report.html").read_text("utf-8"))
    sim = json.loads((out / "simulation" / "summary.json").read_text("utf-8"))
    assert sim["kind"] == "simulation"

    # `corridor report DIR` afterwards writes into the run folder without wiping it,
    # and replaces the tables of the report it overwrites.
    (out / "report_tables" / "old-table.csv").write_text("stale", "utf-8")
    res = CliRunner().invoke(app, ["report", str(out), "--no-images"])
    assert res.exit_code == 0, res.output
    for f in ("run.json", "plan/summary.json", "plan/flows.parquet",
              "simulation/summary.json", "simulation/runs.parquet", "report.html",
              "report_tables/movements.csv"):
        assert (out / f).is_file(), f
    assert not (out / "report_tables" / "old-table.csv").exists()


def test_run_refuses_a_folder_of_other_files_before_planning(
        calls: list[tuple[str, Any]], tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", "utf-8")
    res = _run(out)
    assert res.exit_code == 2
    assert "mine" in res.output and "--out" in res.output and "Traceback" not in res.output
    assert calls == [] and [p.name for p in out.iterdir()] == ["notes.txt"]


def _contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*")
            if p.is_file()}


def test_a_failed_run_leaves_the_earlier_run_whole(calls: list[tuple[str, Any]],
                                                   tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "res"
    assert _run(out).exit_code == 0
    before = _contents(out)
    import corridor.report.build as build

    def broken(*_: Any, **__: Any) -> None:
        raise build.ReportError("cannot draw")

    monkeypatch.setattr(build, "build_report", broken)
    res = _run(out, "--seed", "11")  # a different simulation, were it written
    assert res.exit_code == 2 and "cannot draw" in res.output
    assert _contents(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["res"]


def test_report_refuses_a_tables_folder_of_other_files(run_folder: Path,
                                                       tmp_path: Path) -> None:
    (tmp_path / "brief_tables").mkdir()
    (tmp_path / "brief_tables" / "budget.xlsx").write_bytes(b"keep me")
    res = CliRunner().invoke(app, ["report", str(run_folder), "--out",
                                   str(tmp_path / "brief.html"), "--no-images"])
    assert res.exit_code == 2 and "brief_tables" in res.output
    assert [p.name for p in (tmp_path / "brief_tables").iterdir()] == ["budget.xlsx"]


def test_run_of_an_evacuation_scenario_evacuates(tmp_path: Path) -> None:
    """`city-evacuation` has populations and shelters, no movements: `corridor run`
    evacuates them (the real engine, small) instead of planning and simulating
    nothing, and the report carries the evacuation's headline figures."""
    out = tmp_path / "city"
    res = CliRunner().invoke(app, ["run", "city-evacuation", "--out", str(out),
                                   "--no-images"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["evacuation",
                                                                   "report_tables"]
    summary = json.loads((out / "evacuation" / "summary.json").read_text())
    assert summary["kind"] == "evacuation"
    assert summary["arrived"] == summary["evacuees"] > 0
    headline = (out / "report_tables" / "other-results.csv").read_text(encoding="utf-8")
    assert "egress_h" in headline.splitlines()[0] and "evacuation" in headline
