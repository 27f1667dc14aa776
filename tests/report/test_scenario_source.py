"""Plan and evacuation results name the scenario they came from, so a report of a
user's own scenario draws its map without --scenario (docs/report.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corridor.evacuate.engine import evacuate
from corridor.plan import solve_plan
from corridor.report.build import _scenario_for
from corridor.report.inputs import load_inputs
from corridor.scenario import library, load_scenario


@pytest.mark.parametrize("name", ["single-link", "city-evacuation"])
def test_results_name_their_scenario_and_the_report_finds_it(tmp_path: Path,
                                                             name: str) -> None:
    mine = tmp_path / "my-scenario"
    src = library.path(name)
    assert src is not None
    shutil.copytree(src if src.is_dir() else src.parent, mine)  # a user's own folder
    s = load_scenario(mine)
    if name == "city-evacuation":
        res = evacuate(s, method="heuristic", progress=False)
    else:
        res = solve_plan(s, progress=False)  # type: ignore[assignment]
    assert Path(res.summary["scenario_source"]).resolve() == mine.resolve()
    out = res.write(tmp_path / "out")
    found = _scenario_for(load_inputs([out]))
    assert found is not None and found.source is not None
    assert Path(found.source).resolve() == mine.resolve()


def test_a_simulation_without_casualties_has_no_medical_section(tmp_path: Path) -> None:
    from corridor.report.build import _has_medical
    from corridor.sim import simulate

    s = load_scenario("single-link")
    res = simulate(s, runs=2, seed=1, workers=1, progress=False)
    assert res.summary["medical"]["modelled"] is False  # the spec's key, always there
    out = res.write(tmp_path / "sim")
    assert not _has_medical(load_inputs([out]), s)
    med = load_scenario("eastern-flank")
    assert _has_medical(load_inputs([out]), med)  # the scenario's casualties still count
