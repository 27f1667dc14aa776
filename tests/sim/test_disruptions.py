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
