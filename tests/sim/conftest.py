"""Small scenarios written inline (single-file YAML) for the simulator's tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from corridor.scenario import Scenario, load_scenario

HEADER = "format: corridor/1\nstart_date: 2025-01-15\nseed: 3\n"


@pytest.fixture
def scenario_yaml(tmp_path: Path) -> Callable[[str], Scenario]:
    """Load a scenario from YAML text (the format header is added)."""

    def make(body: str, name: str = "case.yaml") -> Scenario:
        p = tmp_path / name
        p.write_text(HEADER + body, encoding="utf-8")
        return load_scenario(p)

    return make
