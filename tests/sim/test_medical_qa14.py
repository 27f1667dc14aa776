"""QA14 findings on the medical evacuation chain, each pinned by a regression test.

The scenarios are small variants of one corridor: troops bussed from O to the front
F (6 min), a role 2 hospital H 20 km behind it, ambulances (4 litters, 60 km/h: 20
min F-H) based at H. Numbers are derived by hand in each test.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.scenario import Scenario, ScenarioError
from corridor.sim import simulate
from corridor.sim.engine import Run
from corridor.sim.medical import MedicalRun
from corridor.sim.model import compile_model
from corridor.sim.options import options_from

ScenarioYaml = Callable[..., Scenario]
runner = CliRunner()

BASE = """
name: med-base
horizon_days: {horizon}
nodes:
  - {{id: O, kind: origin, lat: 50.0, lon: 20.0}}
  - {{id: F, kind: front, lat: 50.0, lon: 20.1{f_extra}}}
  - {{id: H, kind: hospital, lat: 50.0, lon: 20.3, role: 2, beds: 50, surgical_tables: 2{h_extra}}}
{more_nodes}links:
  - {{id: OF, from: O, to: F, mode: road, distance_km: 10}}
  - {{id: FH, from: F, to: H, mode: {evac_mode}, distance_km: 20}}
{more_links}carriers:
  - {{id: bus, mode: road, count: {buses}, home: O, capacity_pax: {bus_pax}, speed_kmh: 100}}
  - {{id: amb, mode: {evac_mode}, count: {ambs}, home: {amb_home}, capacity_litters: 4,
     speed_kmh: 60{amb_extra}}}
{more_carriers}movements:
  - {{id: m1, origin: O, destination: F, pax: 1000, ready_day: 0, due_day: 5}}
{disruptions}medical:
  casualties:
    - {{at: F, start_day: {start}, end_day: {end}, wia_per_1000_per_day: {wia},
       kia_per_1000_per_day: {kia}, distribution: constant}}
{medical_extra}"""

DEFAULTS = {"horizon": 10, "f_extra": "", "h_extra": "", "more_nodes": "", "evac_mode": "road",
            "more_links": "", "buses": 1, "bus_pax": 1000, "ambs": 2, "amb_home": "H",
            "amb_extra": "", "more_carriers": "", "disruptions": "", "start": 1, "end": 3,
            "wia": 10, "kia": 2, "medical_extra": ""}

# a surgical case operated 40 min after wounding (20 min for the ambulance to come,
# 20 min back) dies with 0.3 / (1 + exp(-(2/3 - 6) / 2))
DOW_40_MIN = 0.3 / (1.0 + math.exp(8.0 / 3.0))


def base(scenario_yaml: ScenarioYaml, **changes: object) -> Scenario:
    return scenario_yaml(BASE.format(**{**DEFAULTS, **changes}))


def one_run(sc: Scenario, seed: int = 0, deterministic: bool = False) -> tuple[Run, MedicalRun]:
    """One run through the engine's classes, for per-casualty records."""
    run = Run(compile_model(sc, options_from(sc, deterministic)),
              np.random.SeedSequence(seed, spawn_key=(0,)))
    run.run()
    med = run.medical
    assert med is not None
    return run, med


def det(sc: Scenario) -> dict[str, float]:
    """The medical block's means of one deterministic run."""
    med = simulate(sc, 1, 1, workers=1, progress=False, deterministic=True).summary["medical"]
    return {k: v["mean"] for k, v in med.items() if isinstance(v, dict) and "mean" in v}


# ------------------------------------------------------------------ finding 1
def _idle(med: MedicalRun) -> int:
    return sum(len(cs) for cs in med.idle.values())


def test_an_ambulance_lost_on_its_way_empty_is_replaced(scenario_yaml: ScenarioYaml) -> None:
    """Mines on F-H (loss 0.5 per crossing), 20 ambulances, 1 urgent casualty a day on
    days 1-11. A lost ambulance frees the litters it was booked for at the front and
    another one is sent: every casualty reaches hospital or dies aboard, unless all 20
    ambulances are gone (then nobody is left to send). Before, one lost empty
    ambulance left the next casualties waiting for good next to 17 idle ones."""
    sc = base(scenario_yaml, horizon=15, ambs=20, start=1, end=11, wia=1, kia=0,
              disruptions="disruptions:\n  - {id: mines, target: FH, loss_prob: 0.5}\n",
              medical_extra="  precedence: {urgent: 1}\n")
    lost_empty = 0
    for seed in range(12):
        run, med = one_run(sc, seed)
        waiting = [c for c, th in enumerate(med.t_hosp) if th == math.inf]
        assert len(med.t_wound) == 10
        if waiting:  # only when no ambulance is left to send
            assert _idle(med) == 0 and med.lost_carriers == 20, (seed, waiting, _idle(med))
        lost_empty += sum(1 for row in med.losses if row[3] == -1)
        assert med.room_to[run.model.node_ids.index("F")] == pytest.approx(
            4.0 * sum(1 for _, _, kind, _, b in run.kernel.heap
                      if kind in (med.K_AT, med.K_LOAD)
                      or (kind == med.K_LOST and b >= 0)))
    assert lost_empty > 0  # the case was exercised


def test_an_ambulance_stuck_behind_a_closure_is_replaced(scenario_yaml: ScenarioYaml) -> None:
    """The nearest ambulances (at B, 5 km from F) sit behind a road closed for good; the
    ones at H (20 km) can come. A carrier that can never arrive frees its booked room,
    so H's ambulances fetch every casualty, 40 min after wounding (deterministic)."""
    sc = base(scenario_yaml, ambs=2, amb_home="H",
              more_nodes="  - {id: B, kind: road_hub, lat: 50.05, lon: 20.1}\n",
              more_links="  - {id: BF, from: B, to: F, mode: road, distance_km: 5}\n",
              more_carriers="  - {id: amb_b, mode: road, count: 3, home: B, "
                            "capacity_litters: 4, speed_kmh: 60}\n",
              disruptions="disruptions:\n  - {id: cut, target: BF, capacity_factor: 0}\n")
    _, med = one_run(sc, deterministic=True)
    assert len(med.t_wound) == 20
    delays = np.array(med.t_hosp) - np.array(med.t_wound)
    assert np.allclose(delays * 24.0, 40.0 / 60.0)


# ------------------------------------------------------------------ finding 2
def test_an_ambulance_bus_with_seats_still_evacuates(scenario_yaml: ScenarioYaml) -> None:
    """An ambulance bus (20 litters, 24 seats) could be an alternate for the troops'
    seats, but the coaches move them (20 x 50 = 1000): it is a medical carrier, taken
    off the troops' candidates, and evacuates as a litter ambulance would (a_base:
    every casualty 40 min to hospital and surgery)."""
    sc = base(scenario_yaml, buses=20, bus_pax=50, ambs=0,
              more_carriers="  - {id: amb_bus, mode: road, count: 2, home: H, "
                            "capacity_litters: 20, capacity_pax: 24, speed_kmh: 60}\n")
    model = compile_model(sc, options_from(sc, True))
    bus = model.fleet_ids.index("amb_bus")
    assert bus in model.medical.fleets
    assert all(bus not in fs for fs in model.stage_fleets)
    m = det(sc)
    assert m["casualties"] == 20 and m["surgical_cases_judged"] == 10
    assert m["share_evacuated_within_limit"] == 1.0
    assert m["share_surgery_within_limit"] == 1.0
    assert m["time_to_surgery_h"] == pytest.approx(2.0 / 3.0, abs=1e-6)
    assert m["died_of_wounds"] == pytest.approx(10 * DOW_40_MIN, abs=1e-6)


def test_a_fleet_the_router_names_stays_a_cargo_fleet(scenario_yaml: ScenarioYaml) -> None:
    """A seats-and-litters bus that is the troops' only carrier carries them (it is
    not taken for the medical chain)."""
    sc = base(scenario_yaml, buses=0, ambs=2,
              more_carriers="  - {id: amb_bus, mode: road, count: 20, home: O, "
                            "capacity_litters: 20, capacity_pax: 50, speed_kmh: 100}\n")
    model = compile_model(sc, options_from(sc, True))
    bus = model.fleet_ids.index("amb_bus")
    assert bus not in model.medical.fleets
    assert any(bus in fs for fs in model.stage_fleets)


# ------------------------------------------------------------------ finding 3
def test_medical_carriers_wait_for_their_available_day(scenario_yaml: ScenarioYaml) -> None:
    """Ambulances available on day 5; 20 casualties on days 1-3. Nobody reaches
    hospital before 5 d + 20 min + 20 min; every delay is over 48 h, so no share is
    met and each of the 10 surgical cases dies with about 0.3."""
    sc = base(scenario_yaml, amb_extra=", available_day: 5")
    _, med = one_run(sc, deterministic=True)
    assert min(med.t_hosp) == pytest.approx(5.0 + 40.0 / 60.0 / 24.0)
    m = det(sc)
    assert m["share_evacuated_within_limit"] == 0.0
    assert m["share_surgery_within_limit"] == 0.0
    assert m["died_of_wounds"] == pytest.approx(3.0, abs=0.01)


# ------------------------------------------------------------------ finding 4
@pytest.mark.parametrize(("extra", "casualty", "column", "says"), [
    ("  precedence: {urgent: .5, priorty: .5}\n", "", "medical.precedence.priorty",
     "did you mean 'priority'"),
    ("", ", wia_per_1000: 3", "medical.casualties[1].wia_per_1000", "unknown casualty key"),
    ("  limits_h: {urgnet: 2}\n", "", "medical.limits_h.urgnet", "did you mean 'urgent'"),
    ("  length_of_stay_days: {role_2: 10}\n", "", "medical.length_of_stay_days.role_2",
     "unknown key"),
    ("  length_of_stay_days: {2: 10}\n", "", "medical.length_of_stay_days.2", "unknown key"),
    ("  died_of_wounds: {model: weibull}\n", "", "medical.died_of_wounds.model", "weibull"),
    ("  died_of_wounds: {midpoint: 1}\n", "", "medical.died_of_wounds.midpoint",
     "did you mean 'midpoint_h'"),
    ("  died_of_wounds: {max_rate: 5}\n", "", "medical.died_of_wounds.max_rate",
     "between 0 and 1"),
    ("  died_of_wounds: {max_rate: high}\n", "", "medical.died_of_wounds.max_rate",
     "between 0 and 1"),
    ("  died_of_wounds: [1, 2]\n", "", "medical.died_of_wounds", "must be a mapping"),
    ("  died_of_wounds: {scale_h: x}\n", "", "medical.died_of_wounds.scale_h", "number"),
])
def test_typos_in_the_medical_block_are_errors(scenario_yaml: ScenarioYaml, extra: str,
                                               casualty: str, column: str,
                                               says: str) -> None:
    """A typo must not silently become a default (scenario-format.md): each names
    the file and the key."""
    body = BASE.format(**{**DEFAULTS, "medical_extra": extra})
    body = body.replace("distribution: constant}", f"distribution: constant{casualty}}}")
    with pytest.raises(ScenarioError) as e:
        scenario_yaml(body)
    issues = e.value.issues
    assert [(i.file, i.column) for i in issues] == [("case.yaml", column)], issues
    assert says in issues[0].message


def test_a_casualty_window_after_the_horizon_is_an_error(scenario_yaml: ScenarioYaml) -> None:
    with pytest.raises(ScenarioError) as e:
        base(scenario_yaml, start=50, end=60)
    assert [i.column for i in e.value.issues] == ["medical.casualties[1].start_day"]


def test_bad_died_of_wounds_exits_2_naming_the_key(tmp_path: Path) -> None:
    """Before, `simulate` died with "internal error: ValueError" (exit 1)."""
    body = BASE.format(**{**DEFAULTS, "medical_extra": "  died_of_wounds: {max_rate: high}\n"})
    p = tmp_path / "scenario.yaml"
    p.write_text("format: corridor/1\nstart_date: 2025-01-15\n" + body, encoding="utf-8")
    res = runner.invoke(app, ["simulate", str(p), "--runs", "1", "--out",
                              str(tmp_path / "out"), "--quiet", "--workers", "1"])
    assert res.exit_code == 2, res.output
    assert "medical.died_of_wounds.max_rate" in res.output
    assert "internal error" not in res.output and "Traceback" not in res.output


def test_a_partial_precedence_map_is_the_whole_split(scenario_yaml: ScenarioYaml) -> None:
    """`precedence: {urgent: 1}` sums to 1: every casualty is urgent (surgical), not
    55.6 % after merging the defaults in: 20 surgical cases, 40 min each."""
    m = det(base(scenario_yaml, medical_extra="  precedence: {urgent: 1}\n"))
    assert m["surgical_cases_judged"] == 20
    assert m["died_of_wounds"] == pytest.approx(20 * DOW_40_MIN, abs=1e-6)


# ------------------------------------------------------------------ finding 5
MEDICAL_ONLY = """
name: medical-only
horizon_days: 4
medical:
  casualties:
    - {at: F, start_day: 1, end_day: 2, wia_per_1000_per_day: 10, kia_per_1000_per_day: 2,
       distribution: constant}
nodes:
  - {id: F, kind: front, lat: 50.0, lon: 20.1}
  - {id: H, kind: hospital, lat: 50.0, lon: 20.3, role: 2, beds: 50, surgical_tables: 2,
     icu_beds: 4}
links:
  - {id: FH, from: F, to: H, mode: road, distance_km: 20}
carriers:
  - {id: amb, mode: road, count: 2, home: H, capacity_litters: 4, speed_kmh: 60}
"""


def test_casualties_without_troops_are_said_not_silent(tmp_path: Path) -> None:
    """Casualties come only from troops movements deliver to `at` (scenario-format.md:
    "from troops present there"); with no movement there are none, and the summary
    and the console say why (and that icu_beds are not modelled)."""
    p = tmp_path / "scenario.yaml"
    p.write_text("format: corridor/1\nstart_date: 2025-01-15\n" + MEDICAL_ONLY,
                 encoding="utf-8")
    out = tmp_path / "out"
    res = runner.invoke(app, ["simulate", str(p), "--runs", "2", "--out", str(out),
                              "--workers", "1", "--quiet"])
    assert res.exit_code == 0, res.output
    med = json.loads((out / "summary.json").read_text(encoding="utf-8"))["medical"]
    assert med["casualties"]["mean"] == 0.0
    assert any("no movement delivers troops" in n and "'F'" in n for n in med["notes"])
    assert any("icu_beds" in n for n in med["notes"])
    assert "no movement delivers troops" in " ".join(res.output.split())


def test_no_note_where_troops_arrive(scenario_yaml: ScenarioYaml) -> None:
    res = simulate(base(scenario_yaml), 1, 1, workers=1, progress=False, deterministic=True)
    assert res.summary["medical"]["notes"] == []


# ------------------------------------------------------------------ finding 6
def test_troops_are_exposed_from_their_arrival(scenario_yaml: ScenarioYaml) -> None:
    """Window [0, 1]; the troops reach F at 6 min (10 km at 100 km/h). They take
    1000 x 10/1000 x (1 - 0.1/24) = 9.96 -> 10 wounded and 1.99 -> 2 killed that day;
    before, the day's tick had counted no troops and nobody was hit."""
    m = det(base(scenario_yaml, start=0, end=1))
    assert m["casualties"] == 10 and m["kia"] == 2
    _, med = one_run(base(scenario_yaml, start=0, end=1), deterministic=True)
    arrive = 0.1 / 24.0
    assert min(med.t_wound) > arrive and max(med.t_wound) < 1.0


def test_mid_day_arrivals_count_once(scenario_yaml: ScenarioYaml) -> None:
    """Troops ready on day 1.5 reach F at 1.5 d + 6 min; window [0, 3.5]: they are hit
    over the rest of day 1, all of day 2 and half of day 3 at 10 wounded + 2 killed
    per 1,000 a day, thinned by their own losses (whole casualties: within one)."""
    body = BASE.format(**{**DEFAULTS, "start": 0, "end": 3.5})
    sc = scenario_yaml(body.replace("ready_day: 0,", "ready_day: 1.5,"))
    _, med = one_run(sc, deterministic=True)
    arrive = 1.5 + 0.1 / 24.0
    assert min(med.t_wound) > arrive
    expected_wia = 0.0
    troops = 1000.0
    for span in (2.0 - arrive, 1.0, 0.5):
        expected_wia += troops * 0.010 * span
        troops -= troops * 0.012 * span
    assert len(med.t_wound) == pytest.approx(expected_wia, abs=1.0)
    assert med.kia + len(med.t_wound) == pytest.approx(1000 - troops, abs=1.0)


# ------------------------------------------------------------------ finding 7
def test_node_visit_limits_apply_to_medical_carriers(scenario_yaml: ScenarioYaml) -> None:
    """F and H take one aircraft a day (air_per_day 1); 10 helicopters, 20 urgent
    casualties on days 1-3. A load is a visit where it loads and one where it
    unloads, so drops at H are at least a day apart, 4 patients at most each."""
    sc = base(scenario_yaml, horizon=6, evac_mode="air", ambs=10, wia=10, kia=0,
              f_extra=", air_per_day: 1", h_extra=", air_per_day: 1",
              medical_extra="  precedence: {urgent: 1}\n")
    _, med = one_run(sc, deterministic=True)
    drops = sorted({t for t in med.t_hosp if math.isfinite(t)})
    assert len(drops) >= 3
    assert all(b - a >= 1.0 - 1e-9 for a, b in pairwise(drops))
    per_drop = [sum(1 for t in med.t_hosp if t == d) for d in drops]
    assert max(per_drop) <= 4
    assert sum(math.isinf(t) for t in med.t_hosp) > 0  # most wait: one trip a day


# ------------------------------------------------------------------ finding 8
def test_patients_lost_aboard_are_in_the_losses(scenario_yaml: ScenarioYaml) -> None:
    """Helicopters based at F fly patients to H over a threat (loss 0.3): each lost
    helicopter is a loss row of its patients, and losses.pax counts them."""
    sc = base(scenario_yaml, horizon=6, evac_mode="air", ambs=200, amb_home="F", kia=0,
              disruptions="disruptions:\n  - {id: manpads, target: FH, loss_prob: 0.3}\n",
              medical_extra="  precedence: {urgent: 1}\n")
    res = simulate(sc, 20, 5, workers=1, progress=False)
    s = res.summary
    rows = res.tables["losses"]
    pat = rows[rows["cargo_class"] == "patients"]
    assert len(pat) > 0 and (pat["fleet"] == "amb").all()
    assert (pat["pax"] == pat["units"]).all() and (pat["t"] == 0).all()
    assert s["losses"]["pax"]["mean"] == pytest.approx(pat["pax"].sum() / 20, abs=1e-6)
    assert len(rows[rows["fleet"] == "amb"]) / 20 == pytest.approx(
        s["medical"]["carriers_lost"]["mean"], abs=1e-6)


# ------------------------------------------------------------------ finding 9
def test_fractional_litters_below_one_are_an_error(scenario_yaml: ScenarioYaml) -> None:
    """0 < capacity_litters < 1 loaded no patient (int(0.5) = 0) and stranded all:
    now an error naming the file, row and column."""
    body = BASE.format(**DEFAULTS).replace("capacity_litters: 4", "capacity_litters: 0.5")
    with pytest.raises(ScenarioError) as e:
        scenario_yaml(body)
    [issue] = e.value.issues
    assert (issue.file, issue.row, issue.column) == ("case.yaml", 2, "capacity_litters")
    assert "0.5" in issue.message


def test_an_empty_casualty_list_is_still_modelled(scenario_yaml: ScenarioYaml) -> None:
    body = BASE.format(**DEFAULTS)
    body = body[:body.index("  casualties:")] + "  casualties: []\n"
    med = simulate(scenario_yaml(body), 1, 1, workers=1, progress=False,
                   deterministic=True).summary["medical"]
    assert med["modelled"] is True and med["casualties"]["mean"] == 0.0


def test_dnbi_are_counted_apart(scenario_yaml: ScenarioYaml) -> None:
    """20 wounded and 10 disease / non-battle injuries (5 per 1,000 a day): the
    casualties are both, `dnbi` the second."""
    m = det(base(scenario_yaml, medical_extra="  dnbi_per_1000_per_day: 5\n"))
    assert m["dnbi"] == 10 and m["casualties"] == 30
