"""Everything one plan model is built from, and the order its families are defined in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from corridor.network.graph import Network
from corridor.plan.commodities import Commodity, Group
from corridor.plan.disruptions import Factors
from corridor.plan.lp import LPBuilder
from corridor.plan.services import Services
from corridor.plan.structure import Structure
from corridor.scenario import Scenario

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]


@dataclass
class PlanModel:
    scenario: Scenario
    net: Network
    coms: list[Commodity]
    groups: list[Group]
    services: Services
    st: Structure
    factors: Factors
    lp: LPBuilder = field(default_factory=LPBuilder)
    x: I64 = field(default_factory=lambda: np.zeros(0, np.int64))  # labels per block
    y: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    h: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    idle: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    # How carrier trips enter the model: "integer" (a whole-number variable per run and
    # step) or "aggregate" (trips = the carrier-loads of the flows: the smaller LP of
    # the coarse pass; a run mixing cargo kinds keeps a continuous trip variable).
    trips: str = "integer"
    # Scale of the trip costs in the objective. The MIP of a small instance (0.1):
    # lateness and arrival must come first even for one small movement (at 1, sixty
    # fewer trucks to a 240 t/day quay outweighed the last tonnes' lateness). The LP
    # relaxations rounded on large instances keep 1: dearer trips consolidate the
    # relaxation's fractional trips, which rounds better (synthetic-2000: 17 % vs 25 %).
    trip_scale: float = 1.0
    y_var: I64 = field(default_factory=lambda: np.zeros(0, np.int64))  # label per trip or -1
    # whole-trip rows (row ids, trip index, rhs) the rounding must respect
    trip_rows: dict[str, tuple[I64, I64, F64]] = field(default_factory=dict)
    # row meaning per family: arrays aligned with the family's rows
    meta: dict[str, dict[str, NDArray[Any]]] = field(default_factory=dict)
    cost_never: F64 = field(default_factory=lambda: np.zeros(0))  # per commodity
    solution_values: F64 = field(default_factory=lambda: np.zeros(0))  # per variable label
    row_activity: dict[str, F64] = field(default_factory=dict)  # per family row, last LP
    narrowed: set[int] = field(default_factory=set)  # commodities whose moves a coarse pass cut
    # Fleet rows by place (corridor.plan.positions) where affordable: asked for by the
    # exact MIP; ``places`` is set when they are used.
    positional: bool = False
    places: Any = None  # positions.Places
    idle_at: I64 = field(default_factory=lambda: np.zeros(0, np.int64))  # idle by place
    empty: I64 = field(default_factory=lambda: np.zeros(0, np.int64))  # empty-run labels
    # Whole carriers per shuttle run and step (the exact MIP): an integer ``waves`` per
    # shuttle trip, at least trips / run_per, counted in the fleet rows instead of the
    # trips' 1/run_per shares, so two runs cannot share a carrier within a step.
    shuttle_carriers: bool = False
    waves: I64 = field(default_factory=lambda: np.zeros(0, np.int64))  # labels
    wave_y: I64 = field(default_factory=lambda: np.zeros(0, np.int64))  # trip index of each
    # fleets split by region (corridor.plan.regions): carriers per split pool
    alloc: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    alloc_pool: I64 = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def groups_of(self) -> list[str]:
        """Group (movement / supply row) id of each commodity."""
        return [c.group for c in self.coms]

    @property
    def quantity(self) -> F64:
        return np.array([c.quantity for c in self.coms], dtype=float)


def define_all(pm: PlanModel, families: list[Callable[[PlanModel], None]]) -> None:
    for define in families:
        define(pm)
    pm.lp.finish_objective()
