"""The report on real engine output (not fabricated): the simulator's folder for
the fixture scenario, and, once the planner is importable, `corridor run`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from corridor.report.build import build_report
from corridor.results.folder import read_summary
from corridor.scenario import Scenario

from .test_html import SECTIONS, _parse


@pytest.fixture(scope="module")
def sim_folder(tmp_path_factory: pytest.TempPathFactory, scenario: Scenario) -> Path:
    from corridor.sim import simulate

    out = tmp_path_factory.mktemp("sim") / "simulation"
    simulate(scenario, 12, 4, workers=1, progress=False).write(out)
    return out


def test_report_of_a_real_simulation(sim_folder: Path, tmp_path: Path) -> None:
    html = build_report([sim_folder], tmp_path / "r.html", images=False)
    c = _parse(html)
    for s in SECTIONS:
        assert s in c.ids
    for fig in ("fig-map", "fig-closure-overall", "fig-closure-movements", "fig-gantt",
                "fig-medical-timeline", "fig-disruptions"):
        assert fig in c.ids, fig
    summary = read_summary(sim_folder)
    movements = pd.read_csv(tmp_path / "r_tables" / "movements.csv").set_index("movement")
    for m in summary["movements"]:
        p50 = m["closure_day"]["p50"]
        got = movements.loc[m["id"], "sim p50 (day)"]
        assert (pd.isna(got) and p50 is None) or got == pytest.approx(p50)
    simulated = pd.read_csv(tmp_path / "r_tables" / "disruptions-simulated.csv")
    assert list(simulated["id"]) == [d["id"] for d in summary["disruptions"]]


def test_corridor_run_with_the_real_engines(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """fleet-cycle: 20 tanks, 4 low-loaders; the plan closes on day 2 1/3 (its
    description derives it by hand), the report shows what the plan says."""
    import sys

    from typer.testing import CliRunner

    from corridor.cli import app

    out = tmp_path / "fc"
    args = ["run", "fleet-cycle", "--out", str(out), "--runs", "6", "--workers", "1",
            "--no-images"]
    monkeypatch.setattr(sys, "argv", ["corridor", *args])
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    plan = read_summary(out / "plan")
    sim = read_summary(out / "simulation")
    assert plan["kind"] == "plan" and sim["kind"] == "simulation" and sim["runs"] == 6
    assert sim["plan"] == str(out / "plan")  # where it is, not where the run staged it
    movements = pd.read_csv(out / "report_tables" / "movements.csv").set_index("movement")
    assert movements.loc["tanks", "plan closure (day)"] == pytest.approx(
        plan["movements"][0]["closure_day"])
    assert plan["movements"][0]["closure_day"] == pytest.approx(56 / 24, abs=1e-3)
    ids = _parse(out / "report.html").ids
    for fig in ("fig-map", "fig-closure-overall", "fig-gantt", "fig-departures"):
        assert fig in ids, fig
