"""Shared helpers for planner tests: scenarios from the library, small edits, solves."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from corridor.network.graph import build_network
from corridor.network.routing import Router
from corridor.plan import PlanOptions, PlanResult, solve_plan
from corridor.plan.commodities import commodities
from corridor.plan.disruptions import capacity_factors
from corridor.plan.model import PlanModel
from corridor.plan.services import build_services
from corridor.plan.structure import build_structure
from corridor.plan.timegrid import TimeGrid
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


def plan_model(s: Scenario, **kw: Any) -> PlanModel:
    """The plan model of a small scenario at the planner's resolution (``g = 1``), as the
    pipeline builds it, its families not yet defined; ``kw`` go to :class:`PlanModel`."""
    net = build_network(s)
    grid = TimeGrid.of(s.step_h, s.horizon_days)
    factors = capacity_factors(s, net, grid)
    coms, groups = commodities(s, net)
    sv = build_services(net, coms, 3, Router(net))
    st = build_structure(net, sv, coms, grid, factors, budget=8_000)
    return PlanModel(s, net, coms, groups, sv, st, factors, **kw)


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
