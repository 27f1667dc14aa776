"""One more unit of a resource, as edits to the right-hand sides of a solved model.

Used twice: the bottleneck analysis turns a row's dual into "what one more unit is
worth", and verification re-solves the same model with the unit added. The units are
the planner's: one more carrier, one more departure (or visit) per day, 10 % more
handling, transshipment, depot stock or road-march flow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from corridor.plan.model import PlanModel
from corridor.plan.solve import Solver

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
MORE = 0.10  # "one more unit" of a continuous capacity: 10 % more

# family -> (kind of domain object, what "one more" is)
FAMILY_KIND = {
    "fleet": "fleet",
    "link_departures": "link",
    "march_flow": "link_flow",
    "node_handling": "handling",
    "node_visits_rail": "rail_visits",
    "node_visits_sea": "sea_visits",
    "node_visits_air": "air_visits",
    "transshipment": "transshipment",
    "depot_stock": "depot",
}


@dataclass(frozen=True)
class Change:
    kind: str  # a FAMILY_KIND value
    target: int  # fleet index, link index or node index

    def family(self) -> str:
        return next(f for f, k in FAMILY_KIND.items() if k == self.kind)


def rows_of(pm: PlanModel, change: Change) -> I64:
    """Family rows (indices) the change touches."""
    fam = change.family()
    meta = pm.meta.get(fam)
    if meta is None:
        return np.zeros(0, dtype=np.int64)
    if fam == "fleet":
        pool = np.flatnonzero(pm.st.pool_fleet == change.target)
        if not len(pool):
            return np.zeros(0, dtype=np.int64)
        rows = np.flatnonzero(meta["pool"] == pool[0])
        return rows[:1]  # the fleet's first row injects its carriers
    if "arc" in meta:
        return np.flatnonzero(pm.net.arcs.link[meta["arc"]] == change.target)
    return np.flatnonzero(meta["node"] == change.target)


def new_rhs(pm: PlanModel, change: Change, rows: I64) -> F64:
    """Right-hand sides of ``rows`` with one more unit."""
    fam = change.family()
    old = pm.lp.families[fam].rhs[rows]
    if fam == "fleet":
        return old + 1.0
    if fam == "link_departures" or fam.startswith("node_visits"):
        from corridor.plan.constraints import window_capacity

        meta = pm.meta[fam]
        per_step = (_per_day(pm, change) + 1.0) * pm.st.grid.share_of_day()
        return window_capacity(np.full(len(rows), per_step), meta["fsum"][rows],
                               meta["short"][rows], meta["rolling"][rows],
                               meta["width"][rows], pm.st.g)
    return old * (1.0 + MORE)


def _per_day(pm: PlanModel, change: Change) -> float:
    nodes = pm.scenario.nodes
    if change.kind == "link":
        return float(pm.net.arcs.capacity_per_day[pm.net.arcs.link == change.target][0])
    col = {"rail_visits": "rail_per_day", "sea_visits": "sea_per_day",
           "air_visits": "air_per_day"}[change.kind]
    return float(nodes[col].iloc[change.target])


def unit_rhs_delta(pm: PlanModel, change: Change, rows: I64) -> F64:
    """The change in the rows' capacities before rounding to whole trips (what a dual
    prices)."""
    fam = change.family()
    if fam == "fleet":
        return np.ones(len(rows))
    if fam == "link_departures" or fam.startswith("node_visits"):
        return pm.st.grid.share_of_day() * pm.meta[fam]["fsum"][rows]
    return pm.lp.families[fam].rhs[rows] * MORE


def day_rows(pm: PlanModel, family: str, rows: I64) -> I64:
    """The per-day rows among ``rows`` (whole-trip families also have per-step ones)."""
    short = pm.meta[family].get("short")
    return rows if short is None else rows[~short[rows]]


def apply(pm: PlanModel, solver: Solver, change: Change) -> Callable[[], None]:
    """Edit the solver's rows for one more unit; returns the undo."""
    fam_name = change.family()
    fam = pm.lp.families.get(fam_name)
    if fam is None:
        return lambda: None
    rows = rows_of(pm, change)
    rows = rows[fam.labels[rows] >= 0]
    if not len(rows):
        return lambda: None
    labels = fam.labels[rows]
    rhs = new_rhs(pm, change, rows)
    if fam.sign == "=":
        old = solver.set_rows_equal(labels, rhs)

        def undo() -> None:
            solver.set_rows_equal(labels, old)
    else:
        old = solver.set_rows_upper(labels, rhs)

        def undo() -> None:
            solver.set_rows_upper(labels, old)
    return undo


def trip_rhs_override(pm: PlanModel, change: Change) -> dict[str, F64]:
    """Whole-trip row capacities with the change, for the rounding."""
    fam = change.family()
    if fam not in pm.trip_rows:
        return {}
    rows = rows_of(pm, change)
    rhs = pm.trip_rows[fam][2].copy()
    rhs[rows] = new_rhs(pm, change, rows)
    return {fam: rhs}
