"""QA15 F2: "one more departure (or visit) per day" where the limit is less than one
per decision step (a spacing) is verified with the rolling windows of the *new*
spacing, as a ``--set`` re-run builds them, not the old windows at the new rate. The
verified closure is the re-run's, derived by hand below."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.plan import solve_plan
from corridor.scenario import load_scenario

from .conftest import yaml_scenario

LINK = """format: corridor/1
name: linkcap
horizon_days: 10
planner: {{step_h: 1}}
nodes:
  - {{id: A, kind: depot, lat: 50.0, lon: 10.0}}
  - {{id: B, kind: staging_area, lat: 50.0, lon: 11.0}}
links:
  - {{id: l_ab, from: A, to: B, mode: road, distance_km: 100, capacity_per_day: {cap}}}
carriers:
  - {{id: trucks, mode: road, count: 100, home: A, capacity_t: 25, capacity_m2: 40,
      speed_kmh: 50, load_h: 0, unload_h: 0}}
movements:
  - {{id: m1, origin: A, destination: B, due_day: 10, supplies_t: 500, kind: supply}}
"""

VISITS = """format: corridor/1
name: visits
horizon_days: 10
planner: {{step_h: 1}}
nodes:
  - {{id: A, kind: rail_terminal, lat: 50.0, lon: 10.0}}
  - {{id: B, kind: rail_terminal, lat: 50.0, lon: 11.0, rail_per_day: {cap}}}
links:
  - {{id: r_ab, from: A, to: B, mode: rail, distance_km: 240}}
carriers:
  - {{id: trains, mode: rail, count: 20, home: A, capacity_t: 500, capacity_m2: 1000,
      speed_kmh: 60, load_h: 0, unload_h: 0}}
movements:
  - {{id: m1, origin: A, destination: B, due_day: 10, supplies_t: 10000, kind: supply}}
"""

# (template, bottleneck kind, base closure h, closure h with one more per day)
# link: 20 loads of 25 t, 2 h of driving. 4 a day at 1 h steps is one departure in any
#   6 h: the 20th leaves at 19 x 6 = 114 h and arrives at 116 h (day 4.833); 5 a day is
#   one in any 5 h (24 / 5 = 4.8 h, rounded up to whole steps): 95 h + 2 h = 97 h
#   (day 4.042). The old windows (6, 12, 18 h) at 5 a day allowed two in any 6 h: 3.83.
# visits: 20 trains of 500 t, 4 h to B; an unloading visit counts when the train
#   reaches B. 4 a day: arrivals 6 h apart, the 20th at 4 + 19 x 6 = 118 h (day 4.917);
#   5 a day: 5 h apart, 4 + 19 x 5 = 99 h (day 4.125; the old windows gave 3.75).
CASES = {
    "link": (LINK, "link", 116.0, 97.0),
    "visits": (VISITS, "node", 118.0, 99.0),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_more_per_day_under_a_spacing_is_what_a_set_rerun_gives(
        tmp_path: Path, case: str) -> None:
    text, kind, base_h, more_h = CASES[case]
    base = solve_plan(load_scenario(yaml_scenario(tmp_path, "base", text.format(cap=4))),
                      progress=False)
    more = solve_plan(load_scenario(yaml_scenario(tmp_path, "more", text.format(cap=5))),
                      progress=False)
    assert base.summary["closure_day"] == pytest.approx(base_h / 24, abs=1e-6)
    assert more.summary["closure_day"] == pytest.approx(more_h / 24, abs=1e-6)  # the re-run
    b = next(b for b in base.summary["bottlenecks"] if b["kind"] == kind)
    assert b["verified_by"] == "mip"
    # the verification equals the re-run: closure and objective
    assert b["closure_change_days"]["m1"] == pytest.approx((base_h - more_h) / 24, abs=1e-3)
    assert f"day {base_h / 24:.2f} → {more_h / 24:.2f}" in b["explanation"]
    gain = base.summary["objective"]["value"] - more.summary["objective"]["value"]
    assert b["verified_days"] == pytest.approx(gain, abs=1e-4)


def test_the_lp_verification_of_a_large_instance_uses_the_new_windows_too(
        tmp_path: Path) -> None:
    """The relax-and-fix engine verifies on its LP relaxation, with the same rows added
    and removed again (the solver's model is back as it was: the plan and the later
    bottleneck re-solves are unchanged). Here the relaxation of the 5-a-day windows
    holds the 20 loads to one departure in any 5 h as well: 0.79 days earlier."""
    from corridor.plan import PlanOptions

    s = load_scenario(yaml_scenario(tmp_path, "base", LINK.format(cap=4)))
    r = solve_plan(s, progress=False, options=PlanOptions(exact_limit=0, polish_seconds=5))
    assert r.summary["model"]["method"] == "lp-relax-and-fix"
    assert r.summary["closure_day"] == pytest.approx(116 / 24, abs=1e-6)
    b = next(b for b in r.summary["bottlenecks"] if b["kind"] == "link")
    assert b["verified_by"] == "lp"
    assert b["closure_change_days"]["m1"] == pytest.approx(19 / 24, abs=1e-3)
