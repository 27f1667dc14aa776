"""QA round 16b, simulator findings 2, 3 and 6 (/tmp/qa16b/FINDINGS.md): the simulation
options a run cannot honour are refused (naming the file and key), and every medical
figure of the summary has its per-run column in ``run_totals``."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.scenario import Scenario, ScenarioError
from corridor.sim import simulate
from corridor.sim.options import TRIANGULAR_MAX_CV, options_from
from corridor.sim.summary import MEDICAL, SHARES

ScenarioYaml = Callable[[str], Scenario]
runner = CliRunner()

# one truck trip of nominal 10 h (600 km at 60 km/h) plus 2 h loading and 2 h unloading
TRIP = """
name: trip
horizon_days: 10
nodes:
  - {id: a, kind: depot, lat: 52.0, lon: 10.0}
  - {id: b, kind: staging_area, lat: 52.0, lon: 15.0}
links:
  - {id: ab, from: a, to: b, mode: road, distance_km: 600}
carriers:
  - {id: trk, mode: road, count: 1, home: a, capacity_t: 25, speed_kmh: 60, load_h: 2, unload_h: 2}
movements:
  - {id: m1, origin: a, destination: b, due_day: 0.45, supplies_t: 25, kind: supply}
"""


def _write(tmp_path: Path, simulation: str) -> Path:
    p = tmp_path / "case.yaml"
    p.write_text("format: corridor/1\nstart_date: 2025-01-15\nseed: 3\n" + TRIP
                 + f"simulation: {simulation}\n", encoding="utf-8")
    return p


def _refused(tmp_path: Path, simulation: str) -> str:
    """validate and simulate both exit 2 with the same problems, writing nothing; the
    problems as one line."""
    p = _write(tmp_path, simulation)
    val = runner.invoke(app, ["validate", str(p)])
    sim = runner.invoke(app, ["simulate", str(p), "--runs", "2", "--workers", "1", "-q",
                              "--out", str(tmp_path / "o")])
    assert val.exit_code == 2 and sim.exit_code == 2, (val.output, sim.output)
    assert not (tmp_path / "o").exists()
    text = " ".join(val.output.split())
    assert " ".join(sim.output.split()).count("simulation.") == text.count("simulation.")
    return text


def _multipliers(s: Scenario, runs: int, seed: int) -> np.ndarray:
    """Per run, the trip's travel-time multiplier: (closure - handling 4 h) / 10 h."""
    res = simulate(s, runs=runs, seed=seed, workers=1, progress=False)
    closure_h = res.runs["closure_day"].to_numpy() * 24.0
    assert len(closure_h) == runs and np.isfinite(closure_h).all()
    return (closure_h - 4.0) / 10.0


# -------------------------------------------- finding 2: triangular cv beyond its reach
def test_a_triangular_cv_beyond_its_reach_is_refused(tmp_path: Path) -> None:
    """QA's tri6 case: travel_cv 0.6 with `triangular` ran with cv 0.41 and no word.
    A symmetric mean-1 triangle spreads at most 1/sqrt(6) = 0.408 (on [0, 2])."""
    text = _refused(tmp_path, "{travel_cv: 0.6, handling_cv: 0, breakdown_km: .inf,"
                              " distribution: triangular}")
    assert ("case.yaml, column 'simulation.travel_cv': '0.6' is more than distribution "
            "'triangular' can spread: its coefficient of variation is at most 1/sqrt(6) "
            "= 0.408") in text, text
    assert "1 problem(s)" in text


def test_each_cv_out_of_triangular_reach_is_named(tmp_path: Path) -> None:
    text = _refused(tmp_path, "{travel_cv: {road: 0.5, sea: 0.1, rail: 0.41},"
                              " handling_cv: 0.45, distribution: triangular}")
    assert "column 'simulation.travel_cv.road': '0.5' is more than" in text
    assert "column 'simulation.travel_cv.rail': '0.41' is more than" in text
    assert "column 'simulation.handling_cv': '0.45' is more than" in text
    assert "simulation.travel_cv.sea" not in text
    assert "3 problem(s)" in text


def test_cvs_a_triangular_reaches_or_another_distribution_are_accepted(
        scenario_yaml: ScenarioYaml) -> None:
    s = scenario_yaml(TRIP + "simulation: {travel_cv: 0.408, handling_cv: 0.4,"
                      " distribution: triangular}\n")
    assert options_from(s).travel_cv["road"] == 0.408
    s = scenario_yaml(TRIP + "simulation: {travel_cv: 0.6, handling_cv: 0.9}\n")
    assert options_from(s).travel_cv["road"] == 0.6  # lognormal: any cv
    s = scenario_yaml(TRIP + "simulation: {travel_cv: 0.6, distribution: none}\n")
    assert options_from(s).distribution == "none"


def test_a_triangular_at_its_widest_spreads_as_asked(scenario_yaml: ScenarioYaml) -> None:
    """cv 0.408 (the widest triangle, [0, 2]): over 4,000 runs the trip's multiplier has
    mean 1 and cv 0.408. Standard errors: mean 0.0065, cv about 0.004 (kurtosis 2.4)."""
    s = scenario_yaml(TRIP + "simulation: {travel_cv: 0.408, handling_cv: 0,"
                      " breakdown_km: .inf, distribution: triangular}\n")
    m = _multipliers(s, 4000, 4)
    assert m.mean() == pytest.approx(1.0, abs=0.02)
    assert m.std() / m.mean() == pytest.approx(0.408, abs=0.012)
    assert m.min() >= 0.0 and m.max() <= 2.0


def test_lognormal_reaches_the_cv_the_triangular_cannot(scenario_yaml: ScenarioYaml) -> None:
    """What the refusal points to: lognormal at cv 0.6 spreads 0.6 (4,000 runs; the
    standard error of the cv is about 0.015 at kurtosis 11)."""
    s = scenario_yaml(TRIP + "simulation: {travel_cv: 0.6, handling_cv: 0,"
                      " breakdown_km: .inf}\n")
    m = _multipliers(s, 4000, 4)
    assert m.mean() == pytest.approx(1.0, abs=0.03)
    assert m.std() / m.mean() == pytest.approx(0.6, abs=0.045)
    assert math.isclose(TRIANGULAR_MAX_CV, 1 / math.sqrt(6))


# ------------------------------------------------------- finding 3: breakdown_km 0
def test_breakdown_km_zero_is_refused(tmp_path: Path) -> None:
    """0 km between breakdowns would break every trip down (1 - exp(-km / 0) = 1); it
    ran as "never". Refused, pointing at .inf for no breakdowns."""
    text = _refused(tmp_path, "{travel_cv: 0, handling_cv: 0, breakdown_km: 0, repair_h: 10}")
    assert ("case.yaml, column 'simulation.breakdown_km': '0' must be a number > 0: the "
            "mean km a carrier covers between breakdowns") in text, text
    assert "for no breakdowns give .inf" in text
    text = _refused(tmp_path, "{breakdown_km: {road: 0.0, rail: 0, sea: -1}}")
    assert "column 'simulation.breakdown_km.road': '0.0' must be a number > 0" in text
    assert "column 'simulation.breakdown_km.rail': '0' must be a number > 0" in text
    assert "column 'simulation.breakdown_km.sea': '-1' must be a number > 0" in text
    assert "3 problem(s)" in text


def test_the_option_reader_refuses_breakdown_km_zero_too(scenario_yaml: ScenarioYaml
                                                         ) -> None:
    with pytest.raises(ScenarioError) as e:
        scenario_yaml(TRIP + "simulation: {breakdown_km: {air: 0}}\n")
    assert [(i.file, i.column) for i in e.value.issues] == [
        ("case.yaml", "simulation.breakdown_km.air")]  # the file it came from


def test_breakdown_km_infinite_and_positive(scenario_yaml: ScenarioYaml) -> None:
    """.inf: no breakdown (10 h + 4 h handling exactly); 600 km over a 600 km trip with a
    10 h mean repair: 10 + 10 (1 - e^-1) = 16.32 h of travel on average (2,000 runs,
    standard error 0.21 h)."""
    calm = "travel_cv: 0, handling_cv: 0, repair_h: 10"
    s = scenario_yaml(TRIP + f"simulation: {{{calm}, breakdown_km: .inf}}\n")
    assert np.allclose(_multipliers(s, 50, 4), 1.0)
    s = scenario_yaml(TRIP + f"simulation: {{{calm}, breakdown_km: 600}}\n")
    m = _multipliers(s, 2000, 4)
    assert (m * 10).mean() == pytest.approx(10 + 10 * (1 - math.exp(-1)), abs=0.65)
    assert (m > 1 + 1e-9).mean() == pytest.approx(1 - math.exp(-1), abs=0.035)
    s = scenario_yaml(TRIP + f"simulation: {{{calm}, breakdown_km: 0.001}}\n")
    assert (_multipliers(s, 200, 4) > 1 + 1e-9).all()  # near 0: every trip


# ----------------------------------------- finding 6: per-run medical figures
MEDMIX = """
name: medmix
horizon_days: 12
simulation: {travel_cv: 0, handling_cv: 0, breakdown_km: .inf}
medical:
  casualties:
    - {at: f, start_day: 1, end_day: 11, wia_per_1000_per_day: 0.2,
       kia_per_1000_per_day: 0.05, distribution: constant}
  dnbi_per_1000_per_day: 0.03
  surgery_within_h: 2
nodes:
  - {id: o, kind: origin, lat: 50.0, lon: 10.0}
  - {id: f, kind: front, lat: 50.0, lon: 10.01}
  - {id: h, kind: hospital, lat: 50.2, lon: 10.01, role: 2, beds: 1000, surgical_tables: 2}
links:
  - {id: of, from: o, to: f, mode: road, distance_km: 1}
  - {id: fh, from: f, to: h, mode: road, distance_km: 20}
carriers:
  - {id: bus, mode: road, count: 1, home: o, capacity_pax: 100000, speed_kmh: 60}
  - {id: amb, mode: road, count: 100, home: f, capacity_litters: 1, speed_kmh: 60}
movements:
  - {id: troops, origin: o, destination: f, due_day: 1, pax: 100000, kind: force}
disruptions:
  - {id: thr, target: fh, loss_prob: 0.1}
"""
OLD_TOTALS = ["run", "closure_day", "events", "trips", "carriers_lost", "cargo_lost_t",
              "stockout_node_days", "stockout_t"]


def _stats(v: np.ndarray) -> dict[str, float | None]:
    v = v[~np.isnan(v)]
    q = np.percentile(v, [10, 50, 90])
    return {"mean": round(float(v.mean()), 6), "p10": round(float(q[0]), 6),
            "p50": round(float(q[1]), 6), "p90": round(float(q[2]), 6)}


def test_every_medical_summary_figure_has_its_per_run_column(scenario_yaml: ScenarioYaml,
                                                             tmp_path: Path) -> None:
    """100,000 troops at the front for 10 days: KIA 0.05 per 1,000 a day `constant` is
    50 a run, DNBI Poisson(30); ambulances cross a threat (p 0.1). Each figure of the
    summary's medical block is recomputed from run_totals.parquet alone."""
    res = simulate(scenario_yaml(MEDMIX), runs=200, seed=5, workers=2, progress=False)
    res.write(tmp_path / "out")
    t = pd.read_parquet(tmp_path / "out" / "run_totals.parquet")
    cols = list(t.columns)
    # the columns there before, in their places; the new ones after them
    assert cols[:len(OLD_TOTALS)] == OLD_TOTALS
    assert cols[8:12] == ["medical_casualties", "medical_died_of_wounds",
                          "medical_share_surgery_within_limit", "peak_beds_role2"]
    med = res.summary["medical"]
    for k in MEDICAL:
        v = t[f"medical_{k}"].to_numpy(dtype=float)
        assert len(v) == 200
        expect = _stats(v) if k not in SHARES or not np.isnan(v).all() else _stats(0 * v)
        assert med[k] == expect, k
    assert (t["medical_kia"] == 50).all()
    assert t["medical_dnbi"].mean() == pytest.approx(30, abs=1.5)
    assert t["medical_casualties"].mean() == pytest.approx(230, abs=3.5)  # WIA + DNBI
    # medical carriers lost per run are the ambulances' rows in losses.parquet
    losses = pd.read_parquet(tmp_path / "out" / "losses.parquet")
    amb = losses[losses["fleet"] == "amb"].groupby("run").size()
    per_run = amb.reindex(t["run"], fill_value=0).to_numpy(dtype=float)
    assert (t["medical_carriers_lost"].to_numpy() == per_run).all() and per_run.sum() > 0
    assert (t["medical_surgical_cases_judged"] <= t["medical_casualties"]).all()
    assert (t["medical_evacuations_judged"] > 0).all()
    assert np.isfinite(t["medical_time_to_surgery_h"]).all()


def test_run_totals_without_a_medical_block_are_unchanged(scenario_yaml: ScenarioYaml
                                                          ) -> None:
    res = simulate(scenario_yaml(TRIP), runs=3, seed=1, workers=1, progress=False)
    assert list(res.tables["run_totals"].columns) == OLD_TOTALS
