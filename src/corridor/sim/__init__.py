"""The stochastic simulator: an event kernel of our own, carriers, disruptions, dispatch
(plan-following or priority / earliest due date), the medical chain and Monte Carlo
backends (local processes, Ray). See docs/simulator.md.

``simulate`` and ``SimResult`` are imported on first use so that ``corridor --help``
stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corridor.sim.api import SimResult, simulate

__all__ = ["SimResult", "simulate"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from corridor.sim import api

        return getattr(api, name)
    raise AttributeError(f"module 'corridor.sim' has no attribute '{name}'")
