"""Report fixtures: the transatlantic test scenario and result folders
FABRICATED from the results-format spec (see fabricate.py), plus one report
built from them for the HTML and browser tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.report.build import build_report
from corridor.scenario import Scenario, load_scenario

from .fabricate import fabricate_plan, fabricate_simulation

HERE = Path(__file__).parent
LATE = "EFP"  # the movement fabricate_plan makes late


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    return load_scenario(HERE / "transatlantic.yaml")


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory: pytest.TempPathFactory, scenario: Scenario) -> Path:
    """A `corridor run`-shaped folder: DIR/plan and DIR/simulation."""
    root = tmp_path_factory.mktemp("run")
    plan = fabricate_plan(scenario, root / "plan", late=LATE)
    fabricate_simulation(scenario, plan, root / "simulation")
    return root


@pytest.fixture(scope="session")
def report_html(run_folder: Path) -> Path:
    return build_report([run_folder], run_folder / "report.html",
                        command="corridor run tests/report/transatlantic.yaml", images=False)
