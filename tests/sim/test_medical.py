"""The medical chain: casualty counts, surgery against the limit, beds, died of wounds."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from corridor.scenario import Scenario
from corridor.sim import simulate
from corridor.sim.medical import dow_probability

ScenarioYaml = Callable[[str], Scenario]

CHAIN = """
name: medical
horizon_days: 14
nodes:
  - {{id: home, kind: origin, lat: 50, lon: 18}}
  - {{id: front, kind: front, lat: 52, lon: 22}}
  - {{id: r2, kind: hospital, lat: 52, lon: 21.6, role: 2, beds: 500,
     surgical_tables: {tables}}}
links:
  - {{id: march, from: home, to: front, mode: road, distance_km: 100}}
  - {{id: evac, from: front, to: r2, mode: road, distance_km: 30}}
carriers:
  - {{id: coaches, mode: road, count: 40, home: home, capacity_pax: 50, speed_kmh: 100}}
  - {{id: ambulances, mode: road, count: {ambulances}, home: r2, capacity_litters: 4,
     speed_kmh: 60, load_h: 0.25, unload_h: 0.25}}
movements:
  - {{id: bde, origin: home, destination: front, due_day: 1, pax: 2000}}
medical:
  casualties:
    - {{at: front, start_day: 2, end_day: 12, wia_per_1000_per_day: {wia},
       kia_per_1000_per_day: 0, distribution: {dist}}}
  precedence: {{urgent: 0.2, priority: 0.3, routine: 0.5}}
  surgery_within_h: 2
  length_of_stay_days: {{role2: 2}}
"""


def chain(scenario_yaml: ScenarioYaml, tables: int = 6, ambulances: int = 20,
          wia: float = 10.0, dist: str = "constant") -> Scenario:
    return scenario_yaml(CHAIN.format(tables=tables, ambulances=ambulances, wia=wia, dist=dist))


def test_casualties_follow_the_rate_on_the_troops_present(scenario_yaml: ScenarioYaml
                                                          ) -> None:
    """2,000 troops hit at 10 per 1,000 a day for 10 days, thinned by their own losses:
    2000 (1 - 0.99^10) wounded (whole casualties, so within one)."""
    res = simulate(chain(scenario_yaml), 1, 1, workers=1, progress=False,
                   deterministic=True)
    expected = 2000 * (1 - (1 - 10 / 1000) ** 10)
    assert res.summary["medical"]["casualties"]["mean"] == pytest.approx(expected, abs=1.5)


def test_poisson_casualties_have_the_expected_mean(scenario_yaml: ScenarioYaml) -> None:
    runs = 40
    res = simulate(chain(scenario_yaml, dist="poisson"), runs, 2, workers=1, progress=False)
    got = res.tables["run_totals"]["medical_casualties"].to_numpy()
    expected = 2000 * (1 - (1 - 10 / 1000) ** 10)
    assert abs(got.mean() - expected) <= 3 * math.sqrt(expected / runs)
    assert got.std() > 0


def test_ample_surgery_meets_the_limit_and_a_single_table_does_not(
        scenario_yaml: ScenarioYaml) -> None:
    """An ambulance waiting at the hospital drives out 30 km at 60 km/h (0.5 h), loads
    (0.25 h), drives back (0.5 h) and unloads (0.25 h): 1.5 h to a free table, within
    2 h; one table for ~40 surgical cases a day at 2 h each queues."""
    ample = simulate(chain(scenario_yaml), 1, 1, workers=1, progress=False,
                     deterministic=True).summary["medical"]
    assert ample["share_surgery_within_limit"]["mean"] == 1.0
    assert ample["time_to_surgery_h"]["mean"] == pytest.approx(1.5, abs=1e-6)
    busy = simulate(chain(scenario_yaml, tables=1, wia=40.0), 1, 1, workers=1,
                    progress=False, deterministic=True).summary["medical"]
    assert busy["share_surgery_within_limit"]["mean"] < 0.9
    assert busy["died_of_wounds"]["mean"] > ample["died_of_wounds"]["mean"]


def test_no_evacuation_means_no_surgery(scenario_yaml: ScenarioYaml) -> None:
    med = simulate(chain(scenario_yaml, ambulances=0), 1, 1, workers=1, progress=False,
                   deterministic=True).summary["medical"]
    assert med["share_surgery_within_limit"]["mean"] == 0.0
    # never operated: judged at the horizon, close to the logistic's ceiling
    surgical = 0.5 * med["casualties"]["mean"]
    assert med["died_of_wounds"]["mean"] > 0.25 * surgical


# 1,000 troops bused 60 km to the front; urgent casualties there from day 1; the only
# evacuation is by helicopter (60 km to the field hospital) through a certain threat.
SHOT_DOWN = """
name: shot-down
horizon_days: 4
nodes:
  - {id: s, kind: staging_area, lat: 52.0, lon: 10.0}
  - {id: f, kind: front, lat: 52.0, lon: 11.0}
  - {id: h, kind: hospital, lat: 52.3, lon: 11.0, role: 2, beds: 20, surgical_tables: 2}
links:
  - {id: sf, from: s, to: f, mode: road, distance_km: 60}
  - {id: fha, from: f, to: h, mode: air, distance_km: 60}
carriers:
  - {id: bus, mode: road, count: 20, home: s, capacity_pax: 50, speed_kmh: 60}
  - {id: heli, mode: air, count: 40, home: f, capacity_litters: 2, speed_kmh: 240}
movements:
  - {id: troops, origin: s, destination: f, due_day: 1, pax: 1000, kind: force}
disruptions:
  - {id: sam, target: "mode:air", loss_prob: 1.0}
medical:
  casualties:
    - {at: f, start_day: 1, end_day: 2, wia_per_1000_per_day: 10, kia_per_1000_per_day: 0,
       distribution: constant}
  precedence: {urgent: 1.0, priority: 0.0, routine: 0.0}
  surgery_within_h: 2
"""


def test_patients_lost_in_transit_were_not_evacuated_or_operated_in_time(
        scenario_yaml: ScenarioYaml) -> None:
    """Every helicopter is shot down with its patients: none evacuated, none operated,
    and every one of them counts in both shares (they used to be left out: 0 of 0)."""
    med = simulate(scenario_yaml(SHOT_DOWN), 2, 5, workers=1,
                   progress=False).summary["medical"]
    n = med["casualties"]["mean"]
    assert n > 0 and med["carriers_lost"]["mean"] > 0
    assert med["died_of_wounds"]["mean"] == n  # each died in a helicopter
    assert med["evacuations_judged"]["mean"] == n
    assert med["surgical_cases_judged"]["mean"] == n
    assert med["share_evacuated_within_limit"]["mean"] == 0.0
    assert med["share_surgery_within_limit"]["mean"] == 0.0


def test_peak_beds_follow_littles_law(scenario_yaml: ScenarioYaml) -> None:
    """About 20 patients a day (falling slowly) stay 2 days: about 40 beds at the peak."""
    med = simulate(chain(scenario_yaml, wia=10.0), 1, 1, workers=1, progress=False,
                   deterministic=True).summary["medical"]
    per_day = 2000 * 10 / 1000
    assert per_day * 2 * 0.85 <= med["peak_beds"]["role2"]["mean"] <= per_day * 2 + 2


def test_died_of_wounds_risk_is_logistic_in_the_delay() -> None:
    dow = (6.0, 2.0, 0.3)
    assert dow_probability(6.0, dow) == pytest.approx(0.15)
    x = np.array([dow_probability(h, dow) for h in np.linspace(0, 48, 97)])
    assert (np.diff(x) > 0).all() and x[-1] == pytest.approx(0.3, rel=1e-4)


def test_the_medical_block_has_the_specs_keys_whatever_the_scenario(
        scenario_yaml: ScenarioYaml) -> None:
    """results-format.md shows ``peak_beds`` with ``role2`` and ``role3`` and numeric
    shares; fields may not be dropped. A scenario with role-2 hospitals only reports
    role 3 at 0 beds; one with no casualties (0 WIA a day) shares of 0 of 0 cases
    judged; a scenario without a medical block has the same keys."""
    run = {"workers": 1, "progress": False, "deterministic": True}
    med = simulate(chain(scenario_yaml, wia=10.0), 1, 1, **run).summary["medical"]
    assert med["modelled"] is True
    assert med["peak_beds"]["role2"]["mean"] > 0
    assert med["peak_beds"]["role3"] == {"mean": 0.0, "p10": 0.0, "p50": 0.0, "p90": 0.0}
    assert med["surgical_cases_judged"]["mean"] > 0
    none = simulate(chain(scenario_yaml, wia=0.0), 1, 1, **run).summary["medical"]
    assert none["casualties"]["mean"] == 0.0
    assert none["share_surgery_within_limit"]["mean"] == 0.0
    assert none["share_evacuated_within_limit"]["mean"] == 0.0
    assert none["surgical_cases_judged"]["mean"] == 0.0
    assert none["peak_beds"]["role2"]["mean"] == 0.0
    assert none["peak_beds"]["role3"]["mean"] == 0.0
    bare = scenario_yaml(CHAIN.split("medical:")[0].format(tables=6, ambulances=20),
                         name="bare.yaml")
    off = simulate(bare, 1, 1, **run).summary["medical"]
    assert off["modelled"] is False
    for block in (none, off):
        assert block.keys() == med.keys()
        assert block["peak_beds"].keys() == med["peak_beds"].keys() == {"role2", "role3"}
        assert all(v.keys() == {"mean", "p10", "p50", "p90"}
                   for k, v in block.items() if k not in ("modelled", "peak_beds", "notes"))
        assert block["notes"] == []  # what the chain could not model: nothing here


MEDICAL_ONLY = """
name: medical-only
horizon_days: 4
medical:
  casualties:
    - {at: h, start_day: 1, end_day: 2, wia_per_1000_per_day: 10, kia_per_1000_per_day: 2,
       distribution: constant}
nodes:
  - {id: h, kind: hospital, lat: 52.5, lon: 11.0, role: 2, beds: 20, surgical_tables: 2}
  - {id: s, kind: staging_area, lat: 52.0, lon: 11.0}
links:
  - {id: sh, from: s, to: h, mode: road, distance_km: 60}
carriers:
  - {id: amb, mode: road, count: 2, home: h, capacity_litters: 4, speed_kmh: 60}
"""


def test_no_movement_has_no_closure_day(scenario_yaml: ScenarioYaml) -> None:
    """A scenario with casualty care and no movement has nothing to close: its closure
    is null, as the plan's is (results-format.md: null if never), not day 0."""
    res = simulate(scenario_yaml(MEDICAL_ONLY), 3, 1, workers=1, progress=False)
    s = res.summary
    assert s["movements"] == []
    assert s["closure_day"] == {"mean": None, "p10": None, "p50": None, "p90": None}
    assert s["p_closed"] is None
