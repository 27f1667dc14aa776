"""The validated, fully resolved scenario every engine reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario: metadata plus one pandas table per component.

    Every table is indexed by its ``id`` (``supply`` by position), has every
    spec column with defaults filled (unlimited = ``inf``), and keeps ``_row``
    (the 1-based source row) and ``x_*`` note columns. Derived values are
    resolved here once, so engines never re-derive them:

    - ``links.distance_km`` filled from great-circle distance x circuity;
    - ``carriers`` figures filled from their built-in ``type``; ``rail_gauge_mm``
      of rail fleets from the home node;
    - ``equipment`` and ``units`` are the built-in catalog merged with the
      scenario's own rows;
    - ``movements.pax`` / ``movements.equipment`` (a ``dict[type, count]``) /
      ``movements.supplies_t`` resolved from the unit template x count, plus
      ``mass_t`` (total tonnes incl. supplies) and ``footprint_m2``.
    """

    name: str
    description: str
    start_date: dt.date
    horizon_days: float
    seed: int
    nodes: pd.DataFrame
    links: pd.DataFrame
    equipment: pd.DataFrame
    carriers: pd.DataFrame
    units: pd.DataFrame
    movements: pd.DataFrame
    supply: pd.DataFrame
    disruptions: pd.DataFrame
    planner: dict[str, Any] = field(default_factory=dict)
    simulation: dict[str, Any] = field(default_factory=dict)
    medical: dict[str, Any] | None = None
    evacuation: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None  # folder or file it was loaded from
    files: dict[str, str] = field(default_factory=dict)  # table -> file label

    @property
    def step_h(self) -> float:
        return float(self.planner.get("step_h", 6.0))

    def summary(self) -> dict[str, Any]:
        """Sizes a planner reads first."""
        return {
            "name": self.name,
            "nodes": len(self.nodes),
            "links": len(self.links),
            "fleets": len(self.carriers),
            "carriers": int(self.carriers["count"].sum()) if len(self.carriers) else 0,
            "movements": len(self.movements),
            "pax": int(self.movements["pax"].sum()) if len(self.movements) else 0,
            "cargo_t": float(self.movements["mass_t"].sum()) if len(self.movements) else 0.0,
            "countries": sorted(c for c in self.nodes["country"].unique() if c),
            "horizon_days": self.horizon_days,
        }

    def with_tables(self, **tables: pd.DataFrame) -> Scenario:
        """A copy with some tables replaced (what-ifs); callers re-validate if needed."""
        import dataclasses

        return dataclasses.replace(self, **tables)  # type: ignore[arg-type]
