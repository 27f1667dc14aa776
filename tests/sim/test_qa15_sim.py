"""QA round 15, simulator findings F1-F5 (/tmp/qa15/sim/FINDINGS.md): each with a value
derived by hand."""

from __future__ import annotations

import math
import multiprocessing as mp
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from scipy.integrate import quad
from typer.testing import CliRunner

from corridor.cli import app
from corridor.scenario import Scenario, ScenarioError
from corridor.sim import montecarlo, simulate
from corridor.sim.disruptions import Profile
from corridor.sim.model import compile_model
from corridor.sim.montecarlo import active_days, local_backend, sweep
from corridor.sim.options import options_from

ScenarioYaml = Callable[[str], Scenario]
runner = CliRunner()
CALM = "simulation: {travel_cv: 0, handling_cv: 0, breakdown_km: 1000000000000}\n"


# ------------------------------------------------------------ F1: active_days
def test_active_days_is_the_union_of_the_windows_clipped_to_the_horizon() -> None:
    assert active_days([(1.0, 5.0), (2.0, 3.0)], 100.0) == 4.0  # one inside another
    assert active_days([(0.0, 10.0), (5.0, 20.0), (30.0, 40.0)], 35.0) == 25.0  # 20 + 5
    assert active_days([(30.0, 40.0), (0.0, 10.0), (5.0, 20.0)], 35.0) == 25.0  # any order
    assert active_days([(0.0, math.inf)], 30.0) == 30.0  # a standing row
    assert active_days([(-2.0, 1.0), (50.0, 60.0)], 40.0) == 1.0  # clipped both ends
    assert active_days([], 30.0) == 0.0


TWO_DEPOTS = """
name: outage
horizon_days: 100
nodes:
  - {id: a, kind: depot, lat: 50, lon: 0, country: DE}
  - {id: b, kind: depot, lat: 50.5, lon: 0, country: DE}
links:
  - {id: l, from: a, to: b, mode: road, distance_km: 60}
carriers:
  - {id: truck, mode: road, count: 1, home: a, capacity_t: 10, speed_kmh: 60}
movements:
  - {id: m, origin: a, destination: b, due_day: 5, supplies_t: 10, kind: supply}
"""


def test_overlapping_outages_are_active_once(scenario_yaml: ScenarioYaml) -> None:
    """λ = 1/day, μ = 10 d over 100 days: about 100 outages per run, overlapping nearly
    all the time; the row cannot be active longer than the horizon (QA saw 909 d)."""
    s = scenario_yaml(TWO_DEPOTS + CALM + """
disruptions:
  - {id: r, target: l, rate_per_day: 1, mean_duration_days: 10}
""")
    row = simulate(s, 20, 1, workers=1, progress=False).summary["disruptions"][0]
    assert row["outages"] > 90
    # E = ∫0^100 1 - exp(-λμ(1 - e^(-t/μ))) dt = 100 - about 1 (the ramp from day 0)
    assert 97.0 < row["active_days"] <= 100.0


def test_active_days_matches_the_union_of_a_poisson_outage_process(
        scenario_yaml: ScenarioYaml) -> None:
    """λ = 0.1/day, μ = 2 d, H = 100: outages start uniformly over [0, H], so at day t
    the number on is Poisson(λμ(1 - e^(-t/μ))) and the expected union is
    ∫0^H 1 - exp(-λμ(1 - e^(-t/μ))) dt = 17.78 d. Per run sd ≈ 7.4 d (QA's Monte
    Carlo), so over 1000 runs SE ≈ 0.23 d: ±4 SE is ±0.94 d. The plain sum of clipped
    durations (the bug) has mean ≈ 19.6 d, 8 SE off."""
    lam, mu, h = 0.1, 2.0, 100.0
    expected = quad(lambda t: 1.0 - math.exp(-lam * mu * (1.0 - math.exp(-t / mu))),
                    0.0, h)[0]
    assert expected == pytest.approx(17.78, abs=0.01)
    s = scenario_yaml(TWO_DEPOTS + CALM + f"""
disruptions:
  - {{id: r, target: l, rate_per_day: {lam}, mean_duration_days: {mu}}}
""")
    row = simulate(s, 1000, 5, workers=1, progress=False).summary["disruptions"][0]
    assert abs(row["active_days"] - expected) < 0.94


# ------------------------------------------------------------- F2: loss on the arc
def test_loss_over_takes_the_highest_risk_met_on_the_crossing() -> None:
    prof = Profile([0.0, 0.1, 0.3], [1.0, 1.0, 1.0], [0.0, 0.5, 0.0])
    assert prof.loss_over(0.0, 10 / 24) == 0.5  # the window opens on the way
    assert prof.loss_over(0.0, 0.05) == 0.0  # across before it opens
    assert prof.loss_over(0.3, 0.5) == 0.0  # after it closed
    assert prof.loss_over(0.2, 0.2) == 0.5  # an instant crossing: the risk at entry
    assert prof.loss_over(0.0, 0.1) == 0.0  # exit at the opening: [entry, exit)
    assert prof.risk_from(0.0, 10 / 24) == 0.1
    assert prof.risk_from(0.2, 0.4) == 0.2
    # one row on all the time (0.5), another on a while (together 0.75): one exposure
    # to the worst, not 1 - 0.5 * 0.25 * 0.5 compounded over the pieces
    both = Profile([0.0, 1.0, 2.0], [1.0, 1.0, 1.0], [0.5, 0.75, 0.5])
    assert both.loss_over(0.0, 3.0) == 0.75


def _ships(start: float, end: float, p: float) -> str:
    """10 ships × 100 t, all at sea from t = 0 on one 300 km arc at 30 km/h (10 h,
    0.4167 d); a threat window [start, end) with loss_prob p."""
    return CALM + f"""
name: wmid
horizon_days: 30
nodes:
  - {{id: A, kind: port, lat: 50, lon: 0, country: GB}}
  - {{id: B, kind: port, lat: 51, lon: 5, country: NL}}
links:
  - {{id: L, from: A, to: B, mode: sea, distance_km: 300}}
carriers:
  - {{id: ship, mode: sea, count: 10, home: A, capacity_t: 100, speed_kmh: 30}}
movements:
  - {{id: M, origin: A, destination: B, due_day: 5, supplies_t: 1000, kind: supply}}
disruptions:
  - {{id: T1, target: L, start_day: {start}, end_day: {end}, capacity_factor: 1,
      loss_prob: {p}}}
"""


def test_a_threat_opening_during_the_crossing_puts_every_ship_at_risk(
        scenario_yaml: ScenarioYaml) -> None:
    """Window 0.1-0.3 d opens while all 10 ships are at sea (0 to 0.4167 d): with
    p = 1 every ship is lost in every run (before the fix: none)."""
    res = simulate(scenario_yaml(_ships(0.1, 0.3, 1.0)), 5, 1, workers=1, progress=False)
    assert res.summary["losses"]["carriers"]["mean"] == 10.0
    assert res.summary["losses"]["cargo_t"]["mean"] == 1000.0
    assert res.summary["p_closed"] == 0.0
    losses = res.tables["losses"]
    assert len(losses) == 50
    # lost halfway through the part of the crossing at risk: (0.1 + 10/24) / 2 d
    assert losses["day"].to_numpy() == pytest.approx((0.1 + 10 / 24) / 2)


def test_a_threat_after_the_crossing_loses_nothing(scenario_yaml: ScenarioYaml) -> None:
    res = simulate(scenario_yaml(_ships(2.0, 3.0, 1.0)), 5, 1, workers=1, progress=False)
    assert res.summary["losses"]["carriers"]["mean"] == 0.0
    assert res.summary["p_closed"] == 1.0


def test_half_the_ships_lost_on_average_with_p_one_half(scenario_yaml: ScenarioYaml) -> None:
    """p = 0.5: losses per run are Binomial(10, 0.5): mean 5, variance 2.5; over 400 runs
    the SE of the mean is √(2.5/400) = 0.079, so ±0.32 is 4 SE. P(all arrive) = 0.5^10."""
    res = simulate(scenario_yaml(_ships(0.1, 0.3, 0.5)), 400, 7, workers=1, progress=False)
    assert abs(res.summary["losses"]["carriers"]["mean"] - 5.0) < 0.32
    assert res.summary["p_closed"] < 0.01


# --------------------------------------------------------- F4: stock-out node-days
def test_a_node_day_short_of_two_classes_counts_once(scenario_yaml: ScenarioYaml) -> None:
    """Front F draws class V (10 t/day) and III (5 t/day) from depot D (100 t) from day 0;
    10 t are delivered. 110 t cover days 0-6 (105 t); day 7 has 5 t left for 15, so
    days 7-29 are short: 23 node-days (not 46), 450 - 110 = 340 t short."""
    s = scenario_yaml(CALM + """
name: stock
horizon_days: 30
nodes:
  - {id: D, kind: depot, lat: 50, lon: 0, country: DE, storage_t: 100}
  - {id: F, kind: front, lat: 50.5, lon: 0, country: DE}
links:
  - {id: L, from: D, to: F, mode: road, distance_km: 60}
carriers:
  - {id: truck, mode: road, count: 1, home: D, capacity_t: 10, speed_kmh: 60}
movements:
  - {id: M, origin: D, destination: F, due_day: 5, supplies_t: 10, kind: supply}
supply:
  - {node: F, class: V, t_per_day: 10, start_day: 0, source: D}
  - {node: F, class: III, t_per_day: 5, start_day: 0, source: D}
""")
    res = simulate(s, 2, 1, workers=1, progress=False)
    st = res.summary["stockouts"]
    assert st["node_days"]["mean"] == 23.0
    assert st["by_node"] == [{"node": "F", "node_days": {"mean": 23.0}}]
    assert st["short_t"]["mean"] == pytest.approx(340.0)
    assert res.tables["run_totals"]["stockout_node_days"].tolist() == [23, 23]
    table = res.tables["stockouts"]
    assert list(table.columns) == ["run", "node", "day", "short_t", "class"]
    run0 = table[table["run"] == 0]
    assert len(run0) == 46 and run0[["node", "day"]].drop_duplicates().shape[0] == 23
    by_class = run0.groupby("class")["short_t"].sum()
    # day 7: V gets the last 5 t (short 5), III nothing (short 5); then 10 and 5 a day
    assert by_class["V"] == pytest.approx(5 + 22 * 10)
    assert by_class["III"] == pytest.approx(23 * 5)


# ------------------------------------------------------- F5: validate the block
BAD_SIM = """
name: simb
horizon_days: 10
nodes:
  - {id: a, kind: depot, lat: 50, lon: 0}
  - {id: b, kind: depot, lat: 50.5, lon: 0}
links:
  - {id: l, from: a, to: b, mode: road, distance_km: 60}
carriers:
  - {id: truck, mode: road, count: 1, home: a, capacity_t: 10, speed_kmh: 60}
movements:
  - {id: m, origin: a, destination: b, due_day: 5, supplies_t: 10, kind: supply}
"""
BAD_MESSAGES = [
    "simulation.travel_cv.road': '-1' must be a number >= 0",
    "unknown simulation key 'bogus'",
    "'weird' is not one of lognormal, triangular, none",
    "simulation.hold_h': 'abc' must be a number >= 0",
    "simulation.breakdown_km': must be a number or a mapping of modes to numbers",
]


def _bad(tmp_path: Path) -> Path:
    p = tmp_path / "simb.yaml"
    p.write_text("format: corridor/1\nstart_date: 2025-01-15\n" + BAD_SIM
                 + "simulation: {travel_cv: {road: -1}, bogus: 1, distribution: weird,"
                 " hold_h: abc, breakdown_km: 1.0e12}\n", encoding="utf-8")
    return p


def test_validate_reports_the_simulation_block_as_simulate_does(tmp_path: Path) -> None:
    p = _bad(tmp_path)
    val = runner.invoke(app, ["validate", str(p)])
    sim = runner.invoke(app, ["simulate", str(p), "--runs", "2", "--workers", "1", "-q",
                              "--out", str(tmp_path / "o")])
    assert val.exit_code == 2 and sim.exit_code == 2
    text = " ".join(val.output.split())
    for msg in BAD_MESSAGES:
        assert msg in text, val.output
    assert "5 problem(s)" in text
    assert " ".join(sim.output.split()).count("simulation.") == text.count("simulation.")
    assert not (tmp_path / "o").exists()


def test_the_option_reader_gives_the_same_messages(scenario_yaml: ScenarioYaml) -> None:
    ok = scenario_yaml(BAD_SIM + "simulation: {travel_cv: {road: 0.3}, hold_h: 12,"
                       " breakdown_km: 1.0e+12, x_note: 1}\n")
    opts = options_from(ok)
    assert opts.travel_cv["road"] == 0.3 and opts.hold_h == 12.0
    assert opts.breakdown_km["sea"] == 1e12
    with pytest.raises(ScenarioError) as e:
        scenario_yaml(BAD_SIM + "simulation: {distribution: weird}\n")
    assert [i.column for i in e.value.issues] == ["simulation.distribution"]


# ------------------------------------------------------------------ F3: Ctrl-C
def _slow_batch(model: object, seed: int, runs: list[int]) -> list[montecarlo.RunRecord]:
    if 0 not in runs:  # every batch but the first takes a minute
        time.sleep(60)
    return [montecarlo.run_one(model, seed, i) for i in runs]  # type: ignore[arg-type]


def test_closing_the_local_backend_stops_its_workers(
        scenario_yaml: ScenarioYaml, monkeypatch: pytest.MonkeyPatch) -> None:
    """What sweep does on Ctrl-C (gen.close()): the workers are ended at once, not left
    running their batches (which the interpreter's exit hook then waited for)."""
    if "fork" not in mp.get_all_start_methods():
        pytest.skip("the fake batch reaches the workers by fork")
    s = scenario_yaml(TWO_DEPOTS + CALM)
    model = compile_model(s, options_from(s), None)
    monkeypatch.setattr(montecarlo, "run_batch", _slow_batch)  # forked workers see it
    before = set(mp.active_children())
    gen = local_backend(model, 1, 40, 2, lambda n: None)
    assert next(gen).run == 0
    workers = [p for p in mp.active_children() if p not in before]
    assert len(workers) == 2
    pids = [p.pid for p in workers]
    t0 = time.perf_counter()
    gen.close()
    # ended at once, not after its 60 s batch; asked of the OS, since a Process object
    # whose pid was reaped elsewhere reads as alive for ever (waitpid: ECHILD)
    while any(_running(pid) for pid in pids) and time.perf_counter() - t0 < 10.0:
        time.sleep(0.1)
    assert not [pid for pid in pids if _running(pid)]


def _running(pid: int | None) -> bool:
    """Whether the process exists and is not a zombie (Linux /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def test_an_interrupt_before_any_run_finished_keeps_nothing(
        scenario_yaml: ScenarioYaml, monkeypatch: pytest.MonkeyPatch) -> None:
    s = scenario_yaml(TWO_DEPOTS + CALM)
    model = compile_model(s, options_from(s), None)

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(montecarlo, "run_one", interrupted)
    with pytest.raises(KeyboardInterrupt):
        sweep(model, 1, 3, workers=1, progress=False)


def test_an_interrupt_keeps_the_finished_runs(
        scenario_yaml: ScenarioYaml, monkeypatch: pytest.MonkeyPatch) -> None:
    s = scenario_yaml(TWO_DEPOTS + CALM)
    model = compile_model(s, options_from(s), None)
    real = montecarlo.run_one

    def second_interrupted(m: object, seed: int, i: int) -> montecarlo.RunRecord:
        if i == 2:
            raise KeyboardInterrupt
        return real(m, seed, i)  # type: ignore[arg-type]

    monkeypatch.setattr(montecarlo, "run_one", second_interrupted)
    res = sweep(model, 1, 5, workers=1, progress=False)
    assert not res.complete and [r.run for r in res.records] == [0, 1]


def test_stockouts_table_has_its_columns_without_stockouts(
        scenario_yaml: ScenarioYaml) -> None:
    res = simulate(scenario_yaml(TWO_DEPOTS + CALM), 1, 1, workers=1, progress=False)
    assert isinstance(res.tables["stockouts"], pd.DataFrame)
    assert list(res.tables["stockouts"].columns) == ["run", "node", "day", "short_t",
                                                     "class"]
