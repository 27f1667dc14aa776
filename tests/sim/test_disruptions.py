"""Disruptions: scheduled windows, capacity factors, random outage processes."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from corridor.scenario import Scenario
from corridor.sim import simulate

from .test_movement import CAPACITY, run_model

ScenarioYaml = Callable[[str], Scenario]


def tonnes_per_day(scenario: Scenario) -> np.ndarray:
    r = run_model(scenario)
    day = np.array([t for _, t, _ in r.st.arrival_log]) - 1 / 24  # departure (1 h before)
    w = np.array([x for _, _, x in r.st.arrival_log]) * 5000.0
    return np.bincount(np.floor(day + 1e-9).astype(int), weights=w, minlength=10)[:9]


def test_a_window_closes_the_link_and_a_factor_halves_its_slots(
        scenario_yaml: ScenarioYaml) -> None:
    closed = scenario_yaml(CAPACITY % 8 + """
disruptions:
  - {id: bridge, target: ab, start_day: 2, end_day: 4}
  - {id: strike, target: ab, start_day: 5, end_day: 7, capacity_factor: 0.5}
""")
    per = tonnes_per_day(closed)
    assert per.tolist() == pytest.approx([80, 80, 0, 0, 80, 40, 40, 80, 80])


def test_a_closed_node_stops_loading(scenario_yaml: ScenarioYaml) -> None:
    s = scenario_yaml(CAPACITY % 8 + """
disruptions:
  - {id: depot_fire, target: a, start_day: 1, end_day: 2}
""")
    per = tonnes_per_day(s)
    assert per[1] == 0 and per[0] == per[2] == 80


def test_random_outages_arrive_at_their_rate(scenario_yaml: ScenarioYaml) -> None:
    rate, runs = 0.5, 60
    s = scenario_yaml(CAPACITY % 8 + f"""
disruptions:
  - {{id: faults, target: ab, rate_per_day: {rate}, mean_duration_days: 0.25}}
""")
    res = simulate(s, runs, 9, workers=1, progress=False)
    row = res.summary["disruptions"][0]
    expected = rate * s.horizon_days
    assert abs(row["outages"] - expected) <= 3 * math.sqrt(expected / runs)
    off = simulate(s, 2, 9, workers=1, progress=False, deterministic=True)
    assert off.summary["disruptions"][0]["outages"] == 0


def test_deterministic_runs_lose_nothing_to_a_threat(scenario_yaml: ScenarioYaml) -> None:
    """--deterministic switches every random element off (docs/simulator.md): a
    standing threat of loss_prob 0.9 loses no carrier and no cargo, whatever the seed,
    and the runs close as without the threat; random runs do lose."""
    base = """
name: det-loss
horizon_days: 10
nodes:
  - {id: a, kind: port, lat: 54, lon: 10}
  - {id: b, kind: port, lat: 59, lon: 18}
links:
  - {id: sea1, from: a, to: b, mode: sea, distance_km: 900}
carriers:
  - {id: ships, mode: sea, count: 4, home: a, capacity_t: 1000, speed_kmh: 30}
movements:
  - {id: m1, origin: a, destination: b, due_day: 5, supplies_t: 4000, kind: supply}
"""
    threat = base + """
disruptions:
  - {id: subs, target: sea1, loss_prob: 0.9}
"""
    calm = simulate(scenario_yaml(base), 1, 1, workers=1, progress=False,
                    deterministic=True).summary
    for seed in (1, 2, 3):
        s = simulate(scenario_yaml(threat), 4, seed, workers=1, progress=False,
                     deterministic=True).summary
        assert s["losses"]["carriers"]["mean"] == 0.0
        assert s["losses"]["cargo_t"]["mean"] == 0.0
        assert s["movements"][0]["p_short"] == 0.0
        assert s["closure_day"] == calm["closure_day"]
    rnd = simulate(scenario_yaml(threat), 4, 1, workers=1, progress=False).summary
    assert rnd["losses"]["carriers"]["mean"] > 0
