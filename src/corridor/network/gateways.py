"""The gateway rule both engines route by (docs/model.md, "Via stops").

A movement's ``via`` nodes are designated gateways: ports or airfields of embarkation
and debarkation. A leg between two of them that share a sea, air or inland-water mode
crosses by that mode whenever it can: equipment sent to Savannah for an LMSR sails
from Savannah; it is not railed back to Texas and flown because one C-17 load would
be faster. The planner routes leg by leg (``corridor.plan.services``); the simulator
routes the whole path through its via stages (``corridor.sim.dispatch``); both ask
:func:`gateway_mode` and steer the router off the other gateway modes by ``AVOID``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

from corridor.network.graph import MODE_CODE, Network
from corridor.network.routing import Route

GATEWAY_MODES = ("sea", "air", "inland_water")  # modes of a designated POE / POD
AVOID = 50.0  # travel-weight multiplier that steers the router off a mode


def gateway_mode(net: Network, a: str, b: str) -> str | None:
    """The mode a leg between two designated gateways (a port or airfield of
    embarkation, then of debarkation) is flown or sailed by: the sea, air or inland
    water mode both have usable links of (sea first), or None."""
    ia, ib = net.nodes.index.get(a), net.nodes.index.get(b)
    if ia is None or ib is None:
        return None
    arcs = net.arcs
    for mode in GATEWAY_MODES:
        m = (arcs.mode == MODE_CODE[mode]) & arcs.usable
        if (m & (arcs.src == ia)).any() and (m & (arcs.dst == ib)).any():
            return mode
    return None


def crosses_by(modes: Iterable[str], mode: str) -> bool:
    """Whether a stretch of these modes uses ``mode`` and no other gateway mode."""
    used = set(modes)
    return mode in used and not (used & set(GATEWAY_MODES)) - {mode}


def only(routes: list[Route], mode: str) -> list[Route]:
    """Routes that use no gateway mode but ``mode`` (and use ``mode``)."""
    return [r for r in routes if crosses_by(r.modes, mode)]


def steer_weights(net: Network, mode: str) -> NDArray[np.float64]:
    """Travel weights that steer the router off every gateway mode but ``mode``."""
    return np.where(np.isin(net.arcs.mode, [MODE_CODE[m] for m in GATEWAY_MODES
                                            if m != mode]), AVOID, 1.0)


def via_gateways(net: Network, via: Sequence[str]) -> dict[int, str]:
    """Per search stage of a route through ``via`` (stage k runs from via k-1 to via k)
    that joins two distinct via nodes sharing a gateway mode: that mode."""
    out: dict[int, str] = {}
    for k in range(1, len(via)):
        if via[k - 1] != via[k]:
            mode = gateway_mode(net, via[k - 1], via[k])
            if mode is not None:
                out[k] = mode
    return out


def stage_weights(net: Network, n_via: int, gateways: dict[int, str]
                  ) -> NDArray[np.float64]:
    """Per-stage travel weights (one row per stage of a route through ``n_via`` via
    nodes): each gateway stage steered onto its mode, the other stages as they are."""
    w = np.ones((n_via + 1, len(net.arcs)))
    for k, mode in gateways.items():
        w[k] = steer_weights(net, mode)
    return w


def stage_modes(r: Route, k: int) -> tuple[str, ...]:
    """Modes of route ``r`` in its search stage ``k`` (between via k-1 and via k)."""
    legs = r.legs
    start = r.via_at[k - 1] if k > 0 else 0
    end = r.via_at[k] if k < len(r.via_at) else len(legs)
    return tuple(dict.fromkeys(leg.mode for leg in legs[start:end]))


def keeps_gateways(r: Route, gateways: dict[int, str]) -> bool:
    """Whether route ``r`` crosses each gateway stage by its mode only."""
    return all(crosses_by(stage_modes(r, k), mode) for k, mode in gateways.items())
