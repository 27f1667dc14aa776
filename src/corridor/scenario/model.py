"""The validated, fully resolved scenario every engine reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Inputs:
    """The tables as parsed from the files, before resolution.

    ``--set`` edits these and resolves again, so that an edit gets every derived
    value and cross-field check that the same value read from a file would get.
    """

    frames: dict[str, pd.DataFrame]  # table -> parsed frame (RangeIndex, ``_row``)
    labels: dict[str, str]  # table -> file label used in messages
    inline: dict[str, bool]  # table -> given as an inline YAML list
    yaml_label: str


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario: metadata plus one pandas table per component.

    Every table is indexed by its ``id`` (``supply`` by position), has every
    spec column with defaults filled (unlimited = ``inf``; ``nodes.shelter_capacity``
    stays NaN where not given, apart from a given 0), and keeps ``_row``
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
    # what it was resolved from (None when a table was changed beyond dropping rows)
    inputs: Inputs | None = field(default=None, repr=False, compare=False)

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
        """A copy with some tables replaced; nothing is validated again.

        Dropping rows keeps :attr:`inputs` (``--set`` edits resolve the rows left);
        any other change drops them, as the inputs no longer describe the tables.
        """
        import dataclasses

        inputs = self.inputs
        if inputs is not None and not all(
            _rows_of(new, getattr(self, name)) for name, new in tables.items()
        ):
            inputs = None
        return dataclasses.replace(self, inputs=inputs, **tables)  # type: ignore[arg-type]


def _rows_of(new: pd.DataFrame, old: pd.DataFrame) -> bool:
    """Whether ``new`` is ``old`` with some rows dropped (and nothing else changed)."""
    if (list(new.columns) != list(old.columns) or not new.index.is_unique
            or not new.index.isin(old.index).all()):
        return False
    return bool(new.equals(old.loc[new.index]))
