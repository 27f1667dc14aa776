"""The planner's clock: steps of ``planner.step_h`` hours from day 0 to the horizon.

Step ``t`` covers hours ``[t * step_h, (t + 1) * step_h)``; carriers depart at step
starts (docs/planner.md, "Time"). Durations become whole steps by rounding *up*, so a
plan never assumes a carrier arrives earlier than it can.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

EPS = 1e-9


@dataclass(frozen=True)
class TimeGrid:
    step_h: float
    steps: int  # T: departures happen at steps 0 .. T-1; arrivals at steps <= T
    horizon_days: float

    @classmethod
    def of(cls, step_h: float, horizon_days: float) -> TimeGrid:
        if not (step_h > 0 and math.isfinite(step_h)):
            raise ValueError(f"planner.step_h must be a positive number of hours, not {step_h}")
        steps = max(1, math.ceil(horizon_days * 24.0 / step_h - EPS))
        return cls(float(step_h), steps, float(horizon_days))

    @property
    def steps_per_day(self) -> float:
        return 24.0 / self.step_h

    def lag(self, hours: float | NDArray[np.float64]) -> NDArray[np.int64]:
        """Whole steps a duration takes (rounded up)."""
        return np.ceil(np.asarray(hours, dtype=float) / self.step_h - EPS).astype(np.int64)

    def step_at(self, hours: float) -> int:
        """First step starting at or after ``hours``."""
        return math.ceil(hours / self.step_h - EPS)

    def step_containing(self, hours: NDArray[np.float64]) -> NDArray[np.int64]:
        """Step whose interval contains the instant just before ``hours`` (an end time)."""
        return np.floor(np.asarray(hours) / self.step_h - EPS).astype(np.int64).clip(0)

    def day(self, step: float | NDArray[np.generic]) -> NDArray[np.float64]:
        return np.asarray(step, dtype=float) * self.step_h / 24.0

    def share_of_day(self) -> float:
        """A step as a fraction of a day: per-day capacities times this give per-step ones."""
        return self.step_h / 24.0
