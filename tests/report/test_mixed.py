"""Result folders of different scenarios given to one report are kept apart: the
report is of the first plan's scenario, the others shown under Other results with a
warning, and no movement is matched (or counted late) across them. Also the Other
results section when there is nothing to put in it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
from typer.testing import CliRunner

from corridor.cli import app
from corridor.report.build import build_report
from corridor.results.folder import FORMAT, write_json

from .test_html import _parse


def _plan(folder: Path, scenario: str, source: str, movements: list[dict[str, Any]]) -> Path:
    write_json(folder / "summary.json", {
        "format": FORMAT, "kind": "plan", "scenario": scenario, "scenario_source": source,
        "status": "optimal", "closure_day": 6.0, "movements": movements,
        "bottlenecks": [], "unmet": []})
    return folder


def _sim(folder: Path, scenario: str, source: str, ids: list[str]) -> Path:
    write_json(folder / "summary.json", {
        "format": FORMAT, "kind": "simulation", "scenario": scenario,
        "scenario_source": source, "runs": 4, "seed": 1,
        "closure_day": {"mean": 3.0, "p10": 2.0, "p50": 3.0, "p90": 4.0},
        "movements": [{"id": i, "due_day": 2.0, "p_on_time": 0.5,
                       "closure_day": {"mean": 3.0, "p10": 2.0, "p50": 3.0, "p90": 4.0}}
                      for i in ids]})
    return folder


ON_TIME = [{"id": "sup1", "due_day": 7.0, "closure_day": 6.0, "late_days": 0.0}]


def _text(html_file: Path) -> str:
    """The page's visible text (tags dropped, whitespace collapsed)."""
    body = html_file.read_text("utf-8")
    body = body[body.index("<main>"):]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def test_results_of_different_scenarios_are_not_merged(tmp_path: Path) -> None:
    plan = _plan(tmp_path / "p_single", "single-link", "/nowhere/single-link", ON_TIME)
    sim = _sim(tmp_path / "sr1", "avail", "/nowhere/avail", ["m1"])
    out = tmp_path / "mix.html"
    res = CliRunner().invoke(app, ["report", str(plan), str(sim), "--out", str(out),
                                   "--no-images"])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert "warning:" in said and "different scenarios" in said
    assert "p_single (scenario 'single-link')" in said and "sr1 (scenario 'avail')" in said
    text = _text(out)
    # the plan's one movement is on time; the other scenario's m1 is not "late in the plan"
    assert "0 of 1 movements late in the plan" in text
    assert "Warning: the results are of different scenarios" in text
    movements = pd.read_csv(tmp_path / "mix_tables" / "movements.csv")
    assert list(movements["movement"]) == ["sup1"]
    assert "sim p50 (day)" not in movements  # nothing joined from the other scenario
    # the simulation of the other scenario is shown apart, as its summary states it
    assert "comparison" in _parse(out).ids
    other = pd.read_csv(tmp_path / "mix_tables" / "other-1-movements.csv")
    assert list(other["id"]) == ["m1"]


def test_same_scenario_by_name_alone_is_still_joined(tmp_path: Path) -> None:
    # A result without scenario_source is no evidence of another scenario.
    plan = _plan(tmp_path / "p", "s", "/nowhere/s", ON_TIME)
    sim = _sim(tmp_path / "s", "s", "", ["sup1"])
    out = build_report([plan, sim], tmp_path / "r.html", images=False)
    assert "different scenarios" not in out.read_text("utf-8")
    movements = pd.read_csv(tmp_path / "r_tables" / "movements.csv")
    assert movements.loc[0, "sim p50 (day)"] == 3.0


def test_a_movement_only_the_simulation_has_is_not_late_in_the_plan(tmp_path: Path) -> None:
    plan = _plan(tmp_path / "p", "s", "/nowhere/s", ON_TIME)
    sim = _sim(tmp_path / "s", "s", "/nowhere/s", ["sup1", "extra"])
    out = build_report([plan, sim], tmp_path / "r.html", images=False)
    assert "0 of 1 movements late in the plan" in _text(out)


def test_other_results_say_what_would_fill_them(tmp_path: Path) -> None:
    plan = _plan(tmp_path / "p", "s", "/nowhere/s", ON_TIME)
    out = build_report([plan], tmp_path / "r.html", images=False)
    assert "comparison" in _parse(out).ids
    text = out.read_text("utf-8")
    section = text[text.index("id='comparison'"):]
    section = section[:section.index("</section>")]
    assert "class='empty'" in section and "a variant plan" in section
