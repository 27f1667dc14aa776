"""Shared helpers for planner tests: scenarios from the library, small edits, solves."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from corridor.plan import PlanOptions, PlanResult, solve_plan
from corridor.scenario import Scenario, load_scenario


@functools.cache
def library(name: str) -> Scenario:
    return load_scenario(name)


@functools.cache
def planned(name: str) -> PlanResult:
    """A library scenario planned once per test session."""
    return solve_plan(library(name), progress=False)


def yaml_scenario(folder: Path, name: str, text: str) -> Path:
    """A one-file scenario written for a test; returns its path."""
    p = folder / f"{name}.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def closure(result: PlanResult, movement: str) -> float | None:
    return result.movements().at[movement, "closure_day"]  # type: ignore[no-any-return]


def items_of(cell: str) -> dict[str, float]:
    data: dict[str, float] = json.loads(cell)
    return data


def eastern_subset(ids: list[str], horizon_days: float | None = None) -> Scenario:
    """Part of the flagship: a few movements, no supply rows (fast enough for a test)."""
    import dataclasses

    s = library("eastern-flank")
    s = s.with_tables(movements=s.movements.loc[ids], supply=s.supply.iloc[0:0])
    if horizon_days is not None:
        s = dataclasses.replace(s, horizon_days=horizon_days)
    return s


@pytest.fixture(scope="session")
def subset_plan() -> tuple[Scenario, PlanResult]:
    """A slice of eastern-flank with a gauge break (SU04 to Rukla, AID05 via Zahony),
    MLC 60 tanks (PL03) and an air-defence unit (DE05)."""
    s = eastern_subset(["SU04", "AID05", "PL03", "DE05"])
    return s, solve_plan(s, progress=False, options=PlanOptions(verify=1))


def frame_or_empty(df: pd.DataFrame) -> pd.DataFrame:
    return df if len(df) else pd.DataFrame(columns=df.columns)


__all__ = ["Any", "closure", "eastern_subset", "frame_or_empty", "items_of", "library",
           "planned"]
