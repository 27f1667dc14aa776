"""One more unit of a resource, as edits to the right-hand sides of a solved model.

Used twice: the bottleneck analysis turns a row's dual into "what one more unit is
worth", and verification re-solves the same model with the unit added. The units are
the planner's: one more carrier, one more departure (or visit) per day, 10 % more
handling, transshipment, depot stock or road-march flow.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


WINDOWED = ("link_departures", "node_visits_rail", "node_visits_sea", "node_visits_air")
VISIT_COLUMN = {"rail_visits": "rail_per_day", "sea_visits": "sea_per_day",
                "air_visits": "air_per_day"}


@dataclass
class _Recorder:
    """Stands in for the LP builder: keeps the rows a ``define_*`` function adds."""

    families: dict[str, tuple[int, I64, I64, F64, F64]] = dataclasses.field(
        default_factory=dict)

    def rows(self, name: str, n_rows: int, row: I64, col: I64, val: F64, sign: str,
             rhs: float | F64) -> None:
        rhs_arr = np.broadcast_to(np.asarray(rhs, dtype=float), (n_rows,)).copy()
        keep = val != 0
        self.families[name] = (n_rows, row[keep], col[keep], val[keep], rhs_arr)


@dataclass(frozen=True)
class Rebuilt:
    """A whole-trip family's rows of one target as ``--set`` (one more per day) builds
    them: row meaning (``meta``) and terms (row, column label, coefficient)."""

    n_rows: int
    row: I64
    col: I64
    val: F64
    rhs: F64
    meta: dict[str, NDArray[Any]]


def rebuilt_rows(pm: PlanModel, change: Change) -> Rebuilt | None:
    """The target's rows of a whole-trip limit (link departures, node visits) with one
    more per day, built by the very ``define_*`` function the plan's model was built
    with, over the same variables: a limit of less than one a decision step is a
    spacing, and its rolling windows are as wide as the *new* spacing (4 a day at 1 h
    steps: windows of 6, 12 and 18 h; 5 a day: 5, 10 and 15 h), so the rows are those of
    a ``--set`` re-run, not the old windows at the new rate."""
    from corridor.plan import constraints

    fam = change.family()
    if fam not in WINDOWED:
        return None
    shadow = copy.copy(pm)
    rec = _Recorder()
    shadow.lp = rec  # type: ignore[assignment]
    shadow.meta, shadow.trip_rows = {}, {}
    if change.kind == "link":
        arcs = pm.net.arcs
        mine = arcs.link == change.target
        cap = np.where(mine, arcs.capacity_per_day + 1.0, np.inf)
        shadow.net = dataclasses.replace(pm.net, arcs=dataclasses.replace(
            arcs, capacity_per_day=cap))
        constraints.define_link_departures(shadow)
    else:
        nodes = pm.scenario.nodes.copy()
        col = VISIT_COLUMN[change.kind]
        new = np.full(len(nodes), np.inf)
        new[change.target] = float(pm.scenario.nodes[col].iloc[change.target]) + 1.0
        for c in VISIT_COLUMN.values():  # only this node's limit of this mode
            nodes[c] = new if c == col else np.inf
        shadow.scenario = dataclasses.replace(pm.scenario, nodes=nodes)
        constraints.define_node_visits(shadow)
    if fam not in rec.families:
        return None
    n, row, col_, val, rhs = rec.families[fam]
    return Rebuilt(n, row, col_, val, rhs, shadow.meta[fam])


def _same_windows(pm: PlanModel, fam: str, rows: I64, new: Rebuilt) -> bool:
    """Whether the rebuilt rows are the plan's ``rows`` (same windows, in order): then
    only their capacities change."""
    old, m = pm.meta[fam], new.meta
    if len(rows) != new.n_rows:
        return False
    return all(np.array_equal(old[k][rows], m[k]) for k in ("short", "rolling", "t", "width"))


def new_rhs(pm: PlanModel, change: Change, rows: I64, rebuilt: Rebuilt | None = None
            ) -> F64:
    """Right-hand sides of ``rows`` with one more unit. A whole-trip limit's rows are
    rebuilt as ``--set`` builds them (:func:`rebuilt_rows`); where one more per day
    changes the windows themselves (a spacing), :func:`apply` replaces the rows, and
    the plan's rows take the new rate over their own windows here."""
    fam = change.family()
    old = pm.lp.families[fam].rhs[rows]
    if fam == "fleet":
        return old + 1.0
    if fam in WINDOWED:
        mine = rows_of(pm, change)
        new = rebuilt or rebuilt_rows(pm, change)
        if new is not None and _same_windows(pm, fam, mine, new):
            pos = np.searchsorted(mine, rows)
            return new.rhs[pos]
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
    return float(nodes[VISIT_COLUMN[change.kind]].iloc[change.target])


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
    """Edit the solver's rows for one more unit; returns the undo. A whole-trip limit
    whose windows change with the rate (a spacing) gets the rows a ``--set`` re-run
    builds: its old rows are lifted and the new ones added (:func:`_replace_rows`)."""
    fam_name = change.family()
    fam = pm.lp.families.get(fam_name)
    if fam is None:
        return lambda: None
    mine = rows_of(pm, change)
    new = rebuilt_rows(pm, change) if fam_name in WINDOWED else None
    if new is not None and not _same_windows(pm, fam_name, mine, new):
        return _replace_rows(solver, fam.labels[mine], new)
    rows = mine[fam.labels[mine] >= 0]
    if not len(rows):
        return lambda: None
    labels = fam.labels[rows]
    rhs = new_rhs(pm, change, rows, new)
    if fam.sign == "=":
        old = solver.set_rows_equal(labels, rhs)

        def undo() -> None:
            solver.set_rows_equal(labels, old)
    else:
        old = solver.set_rows_upper(labels, rhs)

        def undo() -> None:
            solver.set_rows_upper(labels, old)
    return undo


def _replace_rows(solver: Solver, old_labels: I64, new: Rebuilt) -> Callable[[], None]:
    """Lift the rows ``old_labels`` (``<=`` rows) and add ``new``'s to the HiGHS model;
    the undo deletes the added rows and restores the old bounds. While the rows are in,
    the solver reads the added rows' duals and activities under labels after its own
    (so an LP re-solve reads back as before)."""
    labels = old_labels[old_labels >= 0]
    old_upper = solver.set_rows_upper(labels, np.full(len(labels), np.inf))
    added = solver.add_rows(new.row, new.col, new.val, new.rhs)

    def undo() -> None:
        solver.delete_last_rows(added)
        solver.set_rows_upper(labels, old_upper)
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
