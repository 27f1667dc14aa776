"""QA round 18c, findings 1 and 3: the ``planner:`` and ``evacuation:`` blocks of
scenario.yaml are checked when the scenario loads, so ``corridor validate`` reports
what ``corridor plan`` / ``corridor evacuate`` would (it said "ok", exit 0, for
``evacuation: {stepmin: 3}``, which ``evacuate`` refused, and ``planner: {step_hh: 6}``
silently planned at the default step)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.scenario.conftest import ScenarioFolder
from typer.testing import CliRunner

from corridor.cli import app
from corridor.plan import pipeline


def test_an_unknown_planner_option_is_named_with_a_hint(folder: ScenarioFolder) -> None:
    folder.set_yaml(planner={"step_hh": 6})
    issue = folder.issue()
    assert (issue.file, issue.column) == ("scenario.yaml", "planner.step_hh")
    assert issue.message == ("unknown planner option 'step_hh' (known: step_h, "
                             "time_limit_s, mip_gap; did you mean 'step_h'?)")


@pytest.mark.parametrize("planner, column, words", [
    ({"time_limit_s": 0}, "planner.time_limit_s", "must be a number of seconds >= 1"),
    ({"mip_gap": 2}, "planner.mip_gap", "must be a number in [0, 1]"),
    ({"mip_gap": "tight"}, "planner.mip_gap", "must be a number in [0, 1]"),
])
def test_bad_planner_values_are_named(folder: ScenarioFolder, planner: dict[str, Any],
                                      column: str, words: str) -> None:
    folder.set_yaml(planner=planner)
    issue = folder.issue()
    assert issue.column == column and words in issue.message


def test_planner_options_and_own_keys_load(folder: ScenarioFolder) -> None:
    folder.set_yaml(planner={"step_h": 3, "time_limit_s": 20, "mip_gap": 0.05, "x_note": 1})
    assert folder.load().planner == {"step_h": 3, "time_limit_s": 20, "mip_gap": 0.05,
                                     "x_note": 1}


def test_the_planner_block_sets_the_time_limit_and_gap(
        folder: ScenarioFolder, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not given to solve_plan (or on the command line): the scenario's; given: those."""
    seen: list[tuple[float | None, float]] = []

    def plan(ctx: pipeline.Context) -> None:
        left = None if ctx.deadline is None else round(ctx.deadline - ctx.t0)
        seen.append((left, ctx.mip_gap))

    monkeypatch.setattr(pipeline, "_plan", plan)
    folder.set_yaml(planner={"time_limit_s": 20, "mip_gap": 0.05})
    s = folder.load()
    pipeline.solve_plan(s, progress=False)
    pipeline.solve_plan(s, time_limit=7, mip_gap=0.2, progress=False)
    folder.set_yaml(planner={"step_h": 6})
    pipeline.solve_plan(folder.load(), progress=False)
    assert seen == [(20, 0.05), (7, 0.2), (None, 0.01)]


@pytest.mark.parametrize("block, column, words", [
    ({"stepmin": 3}, "evacuation.stepmin", "unknown evacuation option 'stepmin'"),
    ({"step_min": 0}, "evacuation.step_min", "must be a number of minutes > 0"),
    ({"method": "fastest"}, "evacuation.method", "is not one of auto, exact, heuristic"),
    ({"modes": ["boat"]}, "evacuation.modes", "must be a list of link modes"),
    ({"exact_max_variables": "lots"}, "evacuation.exact_max_variables", "whole number"),
])
def test_validate_reports_a_bad_evacuation_block_with_exit_2(
        folder: ScenarioFolder, block: dict[str, Any], column: str, words: str) -> None:
    folder.set_yaml(evacuation=block)
    res = CliRunner().invoke(app, ["validate", str(folder.root)])
    assert res.exit_code == 2, res.output
    assert f"scenario.yaml, column '{column}'" in res.output and words in res.output
    assert "Traceback" not in res.output


def test_a_tables_entry_naming_a_folder_says_which_entry(folder: ScenarioFolder) -> None:
    """QA 18c (minor): ``tables: {links: sub}`` with sub a folder said only "sub: is not a
    regular file", naming neither scenario.yaml nor the entry."""
    (folder.root / "sub").mkdir()
    folder.set_yaml(tables={"links": "sub"})
    issue = folder.issue()
    assert (issue.file, issue.column) == ("scenario.yaml", "tables.links")
    assert issue.message == "table file 'sub' for 'links' is not a regular file (a folder?)"
