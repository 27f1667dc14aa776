"""QA18 findings on the medical evacuation chain, each pinned by a regression test.

The corridor: troops bussed from O to the front F, ambulances (4 litters, 60 km/h,
no loading time) at F, a role 2 hospital H2 20 km (20 min) from F and a role 3 H3
60 km (1 h) from F. Runs are deterministic: casualties of a ``constant`` rate come
evenly spread over each day (n a day: at day + (j + 0.5) / n), urgent surgery takes 2 h.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import numpy as np
import pytest

from corridor.scenario import Scenario
from corridor.sim import simulate
from corridor.sim.engine import Run
from corridor.sim.medical import PRIORITY, ROUTINE, URGENT, MedicalRun
from corridor.sim.model import compile_model
from corridor.sim.options import options_from

ScenarioYaml = Callable[..., Scenario]
H = 1.0 / 24.0  # an hour, in days

BASE = """
name: qa18-med
horizon_days: {horizon}
nodes:
  - {{id: O, kind: origin, lat: 50.0, lon: 20.0}}
  - {{id: F, kind: front, lat: 50.0, lon: 20.1}}
  - {{id: H2, kind: hospital, lat: 50.0, lon: 20.3, role: 2, beds: 50, surgical_tables: 2}}
  - {{id: H3, kind: hospital, lat: 50.3, lon: 20.8, role: 3, beds: 300, surgical_tables: 4}}
{more_nodes}links:
  - {{id: OF, from: O, to: F, mode: road, distance_km: 10}}
  - {{id: FH2, from: F, to: H2, mode: road, distance_km: 20}}
  - {{id: FH3, from: F, to: H3, mode: road, distance_km: 60{fh3_extra}}}
{more_links}carriers:
  - {{id: bus, mode: road, count: 1, home: O, capacity_pax: 1000, speed_kmh: 100}}
  - {{id: amb, mode: road, count: {ambs}, home: F, capacity_litters: 4, speed_kmh: 60}}
{more_carriers}movements:
  - {{id: m1, origin: O, destination: F, pax: 1000, ready_day: 0, due_day: 5}}
{disruptions}medical:
  casualties:
    - {{at: F, start_day: 1, end_day: 3, wia_per_1000_per_day: 4, kia_per_1000_per_day: 0,
       distribution: constant}}
  precedence: {{urgent: 1}}
"""

DEFAULTS = {"horizon": 10, "more_nodes": "", "fh3_extra": "", "more_links": "", "ambs": 8,
            "more_carriers": "", "disruptions": ""}

# the 8 casualties of BASE: 4 a day on days 1 and 2
WOUNDED = [d + (j + 0.5) / 4 for d in (1, 2) for j in range(4)]


def base(scenario_yaml: ScenarioYaml, **changes: object) -> Scenario:
    return scenario_yaml(BASE.format(**{**DEFAULTS, **changes}))


def rows(*lines: str) -> str:
    return "disruptions:\n" + "".join(f"  - {x}\n" for x in lines)


def one_run(sc: Scenario, seed: int = 0, deterministic: bool = True) -> tuple[Run, MedicalRun]:
    run = Run(compile_model(sc, options_from(sc, deterministic)),
              np.random.SeedSequence(seed, spawn_key=(0,)))
    run.run()
    assert run.medical is not None
    return run, run.medical


def admitted_at(run: Run, med: MedicalRun) -> list[str]:
    """Per casualty, the node of the hospital whose bed or table it got ('' if none)."""
    ids = run.model.node_ids
    where = {cid: ids[med.hospitals[h]] for cid, h in med.hosp_of.items()}
    return [where.get(cid, "") for cid in range(len(med.t_wound))]


# ------------------------------------------------------------------ finding 1
@pytest.mark.parametrize("row", ["{id: r2, target: H2, capacity_factor: 0}",
                                 "{id: r2, target: H2, start_day: 0, end_day: 10}"])
def test_a_closed_nearest_hospital_sends_casualties_to_the_next(
        scenario_yaml: ScenarioYaml, row: str) -> None:
    """H2 is closed for the whole run (standing row, or a window to the horizon); H3 is
    open, 1 h away. Every casualty is driven to H3 at once and admitted 1 h after
    wounding. Before, each load went to H2 (the nearest) and never arrived: nobody
    reached a hospital, the patients stayed aboard for ever."""
    run, med = one_run(base(scenario_yaml, disruptions=rows(row)))
    assert med.t_wound == pytest.approx(WOUNDED)
    assert np.allclose(np.array(med.t_hosp) - np.array(med.t_wound), H)
    assert admitted_at(run, med) == ["H3"] * 8
    assert all(not load for load in med.car_load)


def test_a_briefly_closed_hospital_is_passed_by_only_while_the_next_admits_sooner(
        scenario_yaml: ScenarioYaml) -> None:
    """H2 is closed on day 1 only. The day-1 casualties (1:03 h ... 1:21 h into day 1)
    reach H3 1 h later, sooner than H2 reopens (day 2.0); the day-2 ones go to H2, 20
    min. Before, the day-1 loads waited at H2's closed road until day 2."""
    run, med = one_run(base(scenario_yaml, disruptions=rows(
        "{id: r2, target: H2, start_day: 1, end_day: 2}")))
    delays = (np.array(med.t_hosp) - np.array(med.t_wound)) / H
    assert admitted_at(run, med) == ["H3"] * 4 + ["H2"] * 4
    assert delays == pytest.approx([1.0] * 4 + [1.0 / 3.0] * 4)


def test_no_reachable_hospital_leaves_casualties_waiting_not_aboard(
        scenario_yaml: ScenarioYaml) -> None:
    """Both roads out of F are closed for good: no ambulance takes anyone (they would
    never arrive), the casualties wait at F and count as not evacuated, and the fleet
    is no longer sent to F (no carrier comes and goes for ever). Before, every
    casualty was loaded into an ambulance that never arrived."""
    run, med = one_run(base(scenario_yaml, disruptions=rows(
        "{id: a, target: FH2, capacity_factor: 0}", "{id: b, target: FH3, capacity_factor: 0}")))
    f = run.model.node_ids.index("F")
    assert len(med.t_wound) == 8
    assert all(not load for load in med.car_load)
    assert sorted(c for q in med.waiting[f] for c in q) == list(range(8))
    assert med.t_hosp == [math.inf] * 8
    assert med.serves[f] == [False]
    out = simulate(base(scenario_yaml, disruptions=rows(
        "{id: a, target: FH2, capacity_factor: 0}", "{id: b, target: FH3, capacity_factor: 0}")),
        1, 1, workers=1, progress=False, deterministic=True).summary["medical"]
    assert out["share_evacuated_within_limit"]["mean"] == 0.0
    assert out["evacuations_judged"]["mean"] == 8.0


def test_a_way_found_closed_on_the_road_sends_the_patients_back_not_for_ever(
        scenario_yaml: ScenarioYaml) -> None:
    """H2 is closed for good; F-H3 takes one departure a day and closes for good on day
    2.0 (a window to the horizon). The first casualty (1.125) leaves at once and books
    the departure of 1.125-2.125. The second (1.375) finds the road open, but the next
    departure, 2.125, is after the closure: its ambulance cannot get through, so the
    patient is put back at F and H3 is not tried again from there. Every casualty
    after the first waits at F; none is kept aboard an ambulance for ever (before, each
    was loaded into one that never arrived)."""
    run, med = one_run(base(scenario_yaml, fh3_extra=", capacity_per_day: 1", disruptions=rows(
        "{id: r2, target: H2, capacity_factor: 0}",
        "{id: cut, target: FH3, start_day: 2, end_day: 10}")))
    f = run.model.node_ids.index("F")
    assert med.t_hosp[0] == pytest.approx(WOUNDED[0] + H)
    assert med.t_hosp[1:] == [math.inf] * 7
    assert all(not load for load in med.car_load)
    assert sorted(c for q in med.waiting[f] for c in q) == list(range(1, 8))
    assert med.serves[f] == [False]


# ------------------------------------------------------------------ finding 2
STUCK = {"more_nodes": "  - {id: B, kind: road_hub, lat: 50.05, lon: 20.1}\n",
         "more_links": "  - {id: BF, from: B, to: F, mode: road, distance_km: 5}\n",
         "more_carriers": "  - {id: amb_b, mode: road, count: 3, home: B, capacity_litters: 4,"
                          " speed_kmh: 60}\n",
         "ambs": 0}


@pytest.mark.parametrize("cut", ["{id: cut, target: BF, start_day: 0, end_day: 10}",
                                 "{id: cut, target: BF, start_day: 0, end_day: 100}"])
def test_a_window_closure_to_the_horizon_is_closed_for_good(
        scenario_yaml: ScenarioYaml, cut: str) -> None:
    """The ambulances at B (5 km from F) are behind BF, closed to the horizon (10) or
    past it; H2's ambulances (20 min away) can come. As with the standing closure, the
    ones at B never arrive, free the litters booked at F and H2's are sent: every
    casualty is in hospital 40 min after wounding (20 min there, 20 back to H2), exactly
    as with the standing row. Before, B's ambulances counted as coming at day 10 (100),
    holding their 12 litters, and none of the 8 casualties was fetched."""
    common = {**STUCK, "more_carriers": STUCK["more_carriers"]
              + "  - {id: amb_h2, mode: road, count: 2, home: H2, capacity_litters: 4, "
                "speed_kmh: 60}\n"}
    run, med = one_run(base(scenario_yaml, **common, disruptions=rows(cut)))
    _, ref = one_run(base(scenario_yaml, **common, disruptions=rows(
        "{id: cut, target: BF, capacity_factor: 0}")))
    bf = run.model.arc_link.index("BF")
    assert run.st.arc_prof[bf].next_open(5.0) == math.inf  # never reopens in the run
    assert np.allclose(np.array(med.t_hosp) - np.array(med.t_wound), 40.0 / 60.0 * H)
    assert med.t_hosp == ref.t_hosp and med.t_surg == ref.t_surg


def test_cargo_behind_a_window_closure_to_the_horizon_is_as_behind_a_standing_one(
        scenario_yaml: ScenarioYaml) -> None:
    """Lorries drive A-M-B, M-B closed from the start: their loads stay aboard, stuck
    at M. Cargo results were already the same for a closure to the horizon and a
    standing one (a trip behind it ends after the horizon either way); they still are."""
    body = """
name: cargo-cut
horizon_days: 10
nodes:
  - {{id: A, kind: origin, lat: 50.0, lon: 20.0}}
  - {{id: M, kind: road_hub, lat: 50.0, lon: 20.5}}
  - {{id: B, kind: depot, lat: 50.0, lon: 21.0}}
links:
  - {{id: AM, from: A, to: M, mode: road, distance_km: 50}}
  - {{id: MB, from: M, to: B, mode: road, distance_km: 50}}
carriers:
  - {{id: lorry, mode: road, count: 2, home: A, capacity_t: 10, speed_kmh: 50}}
movements:
  - {{id: m, origin: A, destination: B, supplies_t: 40, ready_day: 0, due_day: 5}}
disruptions:
  - {cut}
"""
    a, b = (simulate(scenario_yaml(body.format(cut=c)), 1, 1, workers=1, progress=False,
                     deterministic=True).summary
            for c in ("{id: x, target: MB, start_day: 0, end_day: 10}",
                      "{id: x, target: MB, capacity_factor: 0}"))
    assert a["p_closed"] == 0.0 and a["trips"] == 2  # two loads, stuck at M
    for key in ("closure_day", "p_closed", "movements", "losses", "trips"):
        assert a[key] == b[key], key


# ------------------------------------------------------------------ finding 3
def test_the_deterministic_precedence_split_follows_the_shares_over_the_run(
        scenario_yaml: ScenarioYaml) -> None:
    """One wounded a day for 28 days (10,000 troops at 0.1 per 1,000) at a hospital,
    shares 0.2 / 0.3 / 0.5: 6 urgent, 8 priority and 14 routine (5.6, 8.4, 14
    expected). Before, the split restarted every day at the sequence's first value,
    so all 28 were urgent."""
    sc = scenario_yaml("""
name: det-split
horizon_days: 30
nodes:
  - {id: O, kind: origin, lat: 52.0, lon: 20.0}
  - {id: H, kind: hospital, lat: 52.0, lon: 20.5, role: 2, beds: 5000, surgical_tables: 1}
links:
  - {id: r1, from: O, to: H, mode: road, distance_km: 30}
carriers:
  - {id: coach, mode: road, count: 200, home: O, capacity_pax: 50, speed_kmh: 60}
movements:
  - {id: tr, origin: O, destination: H, pax: 10000, ready_day: 0, due_day: 1}
medical:
  casualties:
    - {at: H, start_day: 1, end_day: 29, wia_per_1000_per_day: 0.1, kia_per_1000_per_day: 0,
       distribution: poisson}
  precedence: {urgent: 0.2, priority: 0.3, routine: 0.5}
""")
    _, med = one_run(sc)
    assert len(med.prec) == 28
    assert Counter(med.prec) == {URGENT: 6, PRIORITY: 8, ROUTINE: 14}


# ------------------------------------------------------------------ finding 4
HOSP = """
name: hosp-closed
horizon_days: 10
nodes:
  - {{id: O, kind: origin, lat: 52.0, lon: 20.0}}
  - {{id: H, kind: hospital, lat: 52.0, lon: 20.5, role: 2, beds: 5000, surgical_tables: 1}}
links:
  - {{id: r1, from: O, to: H, mode: road, distance_km: 30}}
carriers:
  - {{id: coach, mode: road, count: 20, home: O, capacity_pax: 50, speed_kmh: 60}}
movements:
  - {{id: tr, origin: O, destination: H, pax: 1000, ready_day: 0, due_day: 1}}
disruptions:
  - {{id: strike, target: H, start_day: 3, end_day: 5{factor}}}
medical:
  casualties:
{casualties}  precedence: {{urgent: 1}}
"""


def test_casualties_at_a_closed_hospital_wait_for_it_to_reopen(
        scenario_yaml: ScenarioYaml) -> None:
    """One urgent casualty a day at H (at day + 0.5), H closed on days 3-5: those of
    3.5 and 4.5 are admitted when it reopens (5.0) and operated one after the other on
    its one table (5.0, then 2 h later); the others at once. Before, the closed
    hospital admitted and operated on them at once."""
    sc = scenario_yaml(HOSP.format(factor="", casualties=(
        "    - {at: H, start_day: 1, end_day: 8, wia_per_1000_per_day: 1, "
        "kia_per_1000_per_day: 0, distribution: constant}\n")))
    _, med = one_run(sc)
    assert med.t_wound == pytest.approx([1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5])
    assert med.t_hosp == pytest.approx([1.5, 2.5, 5.0, 5.0, 5.5, 6.5, 7.5])
    assert med.t_surg == pytest.approx([1.5, 2.5, 5.0, 5.0 + 2 * H, 5.5, 6.5, 7.5])


DAY2 = ("    - {at: H, start_day: 2, end_day: 3, wia_per_1000_per_day: 24, "
        "kia_per_1000_per_day: 0, distribution: constant}\n")


def test_no_surgery_starts_while_the_hospital_is_closed(scenario_yaml: ScenarioYaml) -> None:
    """24 urgent casualties on day 2, one an hour (at 0:30, 1:30, ...), one table, 2 h
    each: case j starts at 0:30 + 2j h. Case 11 is on the table when H closes (day
    3.0) and finishes; case 12, due at day 3 + 0:30, starts when H reopens (5.0), the
    rest 2 h apart after it."""
    _, med = one_run(scenario_yaml(HOSP.format(factor="", casualties=DAY2)))
    expect = [2.0 + (0.5 + 2 * j) * H for j in range(12)] + \
             [5.0 + 2 * (j - 12) * H for j in range(12, 24)]
    assert med.t_surg == pytest.approx(expect)
    # case 11's bed from the end of its surgery (3.0 + 0:30), inside the closure
    assert (0, pytest.approx(3.0 + 0.5 * H), pytest.approx(5.0 + 0.5 * H)) in med.stays


def test_a_hospital_at_half_capacity_operates_at_half_rate(
        scenario_yaml: ScenarioYaml) -> None:
    """H at capacity factor 0.5 on days 3-5: a surgery (2 h) started then holds the
    table 4 h. Casualties as above: case 12 starts at 3 + 0:30 (as without the
    disruption), holding the table until 3 + 4:30; each next one 4 h after it, until a
    start after day 5 takes 2 h again."""
    _, med = one_run(scenario_yaml(HOSP.format(factor=", capacity_factor: 0.5",
                                               casualties=DAY2)))
    ts = np.array(med.t_surg)
    assert ts[:13] == pytest.approx([2.0 + (0.5 + 2 * j) * H for j in range(13)])
    assert np.diff(ts[12:]) == pytest.approx([4 * H] * 11)  # all start before day 5
    assert ts[-1] == pytest.approx(3.0 + (0.5 + 44) * H)
