"""QA16 F3: an evacuation result gets its own report section (``#evacuation``), not only
a row under Other results: clearance against the target and horizon, people sheltered
of everybody, each shelter's people and fill, when each origin is cleared, and who is
left behind and why. The evacuations here are the real engine's, on a case small
enough to derive by hand (on foot at 5 km/h, 10-minute steps):

- A, 100 people, 1 km from S1 (100 places) on a road of 300 people/h: 50 leave in each
  of steps 0 and 1 and arrive, 2 steps later, by 0.5 h and 0.667 h; A is cleared by
  the end of step 1 (0.333 h) and S1 is full at 0.667 h;
- B, 60 people, 2.5 km from the open safe area S2 (3 steps): all in by 0.667 h,
  cleared by 0.167 h; 10 people live at S2 and shelter in place;
- C, 30 people, has no road: left behind, "no route to a shelter with room".
"""

from __future__ import annotations

import html
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from corridor.evacuate import evacuate
from corridor.report.build import build_report
from corridor.results.folder import write_json
from corridor.scenario import load_scenario

from .test_html import _parse

STEP = 1 / 6  # hours


def town_file(path: Path, *, with_c: bool = True, target_h: float | None = 0.5) -> Path:
    def n(nid: str, kind: str, lat: float, **kw: Any) -> dict[str, Any]:
        return {"id": nid, "kind": kind, "lat": lat, "lon": 20.0, **kw}

    nodes = [n("A", "population_center", 50.0, name="Alpha", population=100),
             n("B", "population_center", 50.1, population=60),
             n("S1", "shelter", 50.01, name="Sports hall", shelter_capacity=100),
             n("S2", "shelter", 50.12, population=10)]
    if with_c:
        nodes.append(n("C", "population_center", 50.3, population=30))
    evac: dict[str, Any] = {"step_min": 10, "speed_kmh": 5}
    if target_h is not None:
        evac["target_h"] = target_h
    doc = {"format": "corridor/1", "name": path.stem, "horizon_days": 1.0,
           "evacuation": evac, "nodes": nodes,
           "links": [{"id": "a1", "from": "A", "to": "S1", "mode": "road",
                      "distance_km": 1.0, "flow_per_h": 300},
                     {"id": "b2", "from": "B", "to": "S2", "mode": "road",
                      "distance_km": 2.5}]}
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def evacuated(src: Path, out: Path, method: str = "exact") -> Path:
    evacuate(load_scenario(src), method=method, progress=False).write(out)
    return out


def text_of(page: Path) -> str:
    body = page.read_text("utf-8")
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def section(page: Path, sid: str) -> str:
    body = page.read_text("utf-8")
    start = body.index(f"<section id='{sid}'>")
    part = body[start:body.index("</section>", start)]
    part = re.sub(r"<script.*?</script>", " ", part, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", part)).split())


@pytest.fixture(scope="module")
def stranded_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("evac")
    src = town_file(root / "towns.yaml")
    evacuated(src, root / "results" / "exact")
    return build_report([root / "results" / "exact"], root / "report.html", images=False)


def test_the_section_is_there_with_its_figure(stranded_report: Path) -> None:
    ids = _parse(stranded_report).ids
    assert "evacuation" in ids and "fig-evacuation-curve" in ids
    # after the map, before the movement sections a planner of an evacuation skips
    assert ids.index("evacuation") < ids.index("closure")
    assert "Civil evacuation" in text_of(stranded_report)


def test_headline_cards_show_clearance_against_the_target(stranded_report: Path) -> None:
    text = section(stranded_report, "evacuation")
    assert "not cleared clearance: 30 never reach a shelter (the last who do arrive at " \
           "0.67 h (0:40))" in text
    assert "missed target: cleared by 0.5 h (evacuation.target_h)" in text
    assert "24 h horizon: nobody arrives later" in text
    assert "170 of 200 people in shelters, 10 of them sheltered in place" in text
    assert "30 people left behind" in text
    mean = (50 * 3 * STEP + 50 * 4 * STEP + 60 * 4 * STEP + 10 * 0) / 170
    assert f"{mean:.2f} h mean time to a shelter" in text
    assert "exact, infeasible method, status" in text
    summary = section(stranded_report, "summary")
    assert "never evacuation clearance" in summary and "170 of 200 people in shelters" in summary


def test_shelters_people_fill_and_when_full(stranded_report: Path) -> None:
    t = pd.read_csv(stranded_report.parent / "report_tables" / "evacuation-shelters.csv")
    t = t.set_index("shelter")
    assert t.loc["S1", "name"] == "Sports hall"
    assert t.loc["S1", "people"] == 100 and t.loc["S1", "capacity"] == 100
    assert t.loc["S1", "fill (%)"] == 100
    assert t.loc["S1", "full_at (h)"] == pytest.approx(4 * STEP)
    assert t.loc["S1", "last_arrival (h)"] == pytest.approx(4 * STEP)
    s2 = t.to_dict("index")["S2"]
    assert s2["people"] == 70 and s2["capacity"] == math.inf
    assert math.isnan(s2["fill (%)"]) and math.isnan(s2["full_at (h)"])
    text = section(stranded_report, "evacuation")
    assert "S2 70 unlimited" in text  # an open safe area, on the page


def test_origins_cleared_slowest_first(stranded_report: Path) -> None:
    t = pd.read_csv(stranded_report.parent / "report_tables" / "evacuation-origins.csv")
    assert list(t["origin"]) == ["C", "A", "B", "S2"]  # never cleared first, then latest
    t = t.set_index("origin")
    assert t.loc["A", "name"] == "Alpha"
    assert t.loc["A", "sheltered"] == 100 and t.loc["A", "left_behind"] == 0
    assert t.loc["A", "cleared (h)"] == pytest.approx(2 * STEP)
    assert t.loc["A", "all_sheltered (h)"] == pytest.approx(4 * STEP)
    assert t.loc["A", "mean (h)"] == pytest.approx((3 + 4) / 2 * STEP)
    assert t.loc["B", "cleared (h)"] == pytest.approx(STEP)
    assert t.loc["B", "all_sheltered (h)"] == pytest.approx(4 * STEP)
    assert t.loc["S2", "cleared (h)"] == 0 and t.loc["S2", "all_sheltered (h)"] == 0
    assert t.loc["C", "left_behind"] == 30 and t.loc["C", "sheltered"] == 0
    c = t.to_dict("index")["C"]
    assert math.isnan(c["cleared (h)"]) and math.isnan(c["all_sheltered (h)"])


def test_who_is_left_behind_and_why(stranded_report: Path) -> None:
    t = pd.read_csv(stranded_report.parent / "report_tables" / "evacuation-unmet.csv")
    assert t.to_dict("records") == [
        {"node": "C", "people": 30, "reason": "no route to a shelter with room"}]


def test_other_results_keep_the_headline_row_only(stranded_report: Path) -> None:
    tables = stranded_report.parent / "report_tables"
    headline = pd.read_csv(tables / "other-results.csv")
    assert headline.loc[0, "kind"] == "evacuation" and headline.loc[0, "arrived"] == 170
    assert not list(tables.glob("other-1-*.csv"))  # shelters etc. are in the section
    assert "are under Civil evacuation" in section(stranded_report, "comparison")


def test_a_met_target_and_two_evacuations_side_by_side(tmp_path: Path) -> None:
    """Everybody in by 0.667 h against a target of 1 h: met, by 0.33 h. A second
    evacuation of the same scenario (the heuristic) gets its own tables."""
    src = town_file(tmp_path / "towns.yaml", with_c=False, target_h=1.0)
    ex = evacuated(src, tmp_path / "res" / "exact")
    he = evacuated(src, tmp_path / "res" / "ccrp", method="heuristic")
    page = build_report([ex, he], tmp_path / "r.html", images=False)
    text = section(page, "evacuation")
    assert "0.67 h (0:40) clearance: the last person in a shelter" in text
    assert "met by 0.33 h target: cleared by 1 h (evacuation.target_h)" in text
    assert "Nobody is left behind" in text
    assert "170 of 170 people in shelters" in text
    for key in ("evacuation-shelters", "evacuation-2-shelters", "evacuation-origins",
                "evacuation-2-origins"):
        assert (tmp_path / "r_tables" / f"{key}.csv").is_file(), key
    second = pd.read_csv(tmp_path / "r_tables" / "evacuation-2-shelters.csv")
    assert second.set_index("shelter").loc["S1", "people"] == 100
    assert "fig-evacuation-2-curve" in _parse(page).ids


def test_auto_method_choice_is_explained(tmp_path: Path) -> None:
    src = town_file(tmp_path / "towns.yaml", with_c=False, target_h=None)
    page = build_report([evacuated(src, tmp_path / "res", method="auto")],
                        tmp_path / "r.html", images=False)
    text = section(page, "evacuation")
    assert "Method chosen automatically: exact: its time-expanded LP has" in text
    assert "(no target set: evacuation.target_h)" in text


def test_a_scenario_with_people_but_no_evacuation_says_what_fills_it(tmp_path: Path) -> None:
    cmp_dir = tmp_path / "compare"
    write_json(cmp_dir / "summary.json", {"format": "corridor-result/1", "kind": "comparison",
                                          "scenario": "towns"})
    scenario = load_scenario(town_file(tmp_path / "towns.yaml"))
    page = build_report([cmp_dir], tmp_path / "r.html", scenario=scenario, images=False)
    assert "run corridor evacuate" in section(page, "evacuation")
