"""Lower bounds on the egress time, in steps, that hold for every plan.

Egress ``E`` (steps) means every evacuee reaches a shelter during steps 0..E-1. Each
bound relaxes the model differently; the best of them is reported as
``lower_bound_h`` by both methods:

- ``nearest``: the farthest source's shortest route to a shelter with room, plus the
  step in which its people pass (capacity ignored);
- ``source_cut``: a source's people must all leave by its own outgoing links; link a
  admits what its capacity in steps 0..k-1 allows (``floor(rate * k)`` undisrupted,
  less under a window), and an evacuee entering it in step t arrives no earlier than
  ``t + transit(a) + nearest(head)``;
- ``shelter_cut``: the same through the links into the shelters (capped by room): an
  evacuee can enter link a no earlier than the fewest transit steps from a source to
  its tail, so it counts a's capacity in the steps from then to ``E - 1 - transit(a)``
  (closures and cumulative rounding make the capacity depend on the step);
- ``dynamic_flow``: Ford and Fulkerson's maximum flow over time from a set of sources
  to all shelters (supplies, holding and shelter limits relaxed; constant capacity
  ``ceil(rate)`` per step, which no step exceeds: windows only lower capacity), which
  is ``max E*|f| - sum(transit*f)`` over static flows f: a small LP, found by Newton's
  method on E (the value is convex in E). Every subset of sources must get its own
  people out in time, so the engine tries all sources and the clusters the heuristic
  finishes last;
- ``coarse_lp``: the exact model on longer steps, when that model is small.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from corridor.evacuate.network import EvacNetwork

TINY = 1e-7  # per-arc tie weight so zero-transit arcs stay edges in csgraph


def _graph(net: EvacNetwork, reverse: bool) -> sp.csr_matrix:
    """Transit steps (+TINY) between nodes, the cheaper of parallel arcs."""
    w = net.transit.astype(float) + TINY
    a, b = (net.head, net.tail) if reverse else (net.tail, net.head)
    order = np.lexsort((w, b, a))
    a, b, w = a[order], b[order], w[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return sp.csr_matrix((w[first], (a[first], b[first])), shape=(net.n, net.n))


def _distances(net: EvacNetwork, targets: np.ndarray, reverse: bool) -> np.ndarray:
    """Fewest transit steps from (reverse: to) the nearest of ``targets`` (inf: none)."""
    if len(targets) == 0 or net.m == 0:
        d = np.full(net.n, np.inf)
        d[targets] = 0.0
        return d
    dist = dijkstra(_graph(net, reverse), directed=True, indices=targets, min_only=True)
    return np.where(np.isfinite(dist), np.floor(dist + 1e-9), np.inf)


def to_shelter(net: EvacNetwork, room: np.ndarray | None = None) -> np.ndarray:
    """Fewest transit steps from each node to a shelter with room (``room``: per node,
    default the network's own)."""
    left = net.shelter_cap if room is None else room
    return _distances(net, np.flatnonzero(left > 0), reverse=True)


def from_sources(net: EvacNetwork) -> np.ndarray:
    """Fewest transit steps from a node with people to move to each node."""
    return _distances(net, np.flatnonzero(net.pop > 0), reverse=False)


def _smallest(fits: Callable[[int], bool], lo: int, hi: int) -> int:
    """Smallest E in [lo, hi] with fits(E) (fits is monotone); hi + 1 when none."""
    if lo > hi or not fits(hi):
        return hi + 1
    while lo < hi:
        mid = (lo + hi) // 2
        if fits(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def window_capacity(net: EvacNetwork, arcs: np.ndarray, start: np.ndarray,
                    stop: np.ndarray) -> np.ndarray:
    """People arc ``arcs[i]`` admits in steps ``start[i] .. stop[i]-1`` (inf = unlimited)."""
    arcs = np.asarray(arcs, dtype=np.int64)
    start = np.maximum(np.asarray(start, dtype=np.int64), 0)
    stop = np.maximum(np.asarray(stop, dtype=np.int64), start)
    finite = np.isfinite(net.rate[arcs])
    out = np.where(stop > start, np.inf, 0.0)
    # cumulative capacity is exact (rounding included), and finite here: no inf - inf
    out[finite] = (net.cumulative(arcs[finite], stop[finite])
                   - net.cumulative(arcs[finite], start[finite]))
    for i in np.flatnonzero(np.isin(arcs, list(net.fixed_caps))).tolist():
        # a closure makes even an unlimited arc admit nobody in some steps
        a, lo, hi = int(arcs[i]), int(start[i]), int(stop[i])
        caps = net.fixed_caps[a]
        beyond = net.undisrupted_caps(a, min(max(lo, len(caps)), hi), hi)
        out[i] = float(np.sum(caps[lo:hi])) + float(np.sum(beyond))
    return out


def combinatorial_bounds(net: EvacNetwork) -> dict[str, int]:
    """The cheap bounds (``nearest``, ``source_cut``, ``shelter_cut``) in steps.

    Sources that cannot reach any shelter are left out (they are reported as stranded);
    a bound of ``horizon + 1`` says the rest cannot all arrive within the horizon.
    """
    h = net.horizon
    sources = np.flatnonzero(net.pop > 0)
    near = to_shelter(net)
    reach = sources[np.isfinite(near[sources])]
    if len(reach) == 0:
        return {"nearest": 0, "source_cut": 0, "shelter_cut": 0}
    nearest = int(near[reach].max()) + 1

    source_cut = 0
    for s in reach.tolist():
        arcs = np.flatnonzero((net.tail == s) & np.isfinite(near[net.head]))
        delay = net.transit[arcs] + near[net.head[arcs]].astype(np.int64)
        need = int(net.pop[s])

        def fits(e: int, arcs: np.ndarray = arcs, delay: np.ndarray = delay,
                 need: int = need) -> bool:
            return bool(net.cumulative(arcs, e - delay).sum() >= need)

        source_cut = max(source_cut, _smallest(fits, 1, h))

    early = from_sources(net)
    shelters = np.flatnonzero(net.shelter_cap > 0)
    into = [np.flatnonzero((net.head == z) & np.isfinite(early[net.tail])) for z in shelters]
    # nobody enters arc a before step early[tail]: the capacity that counts is that of
    # steps early .. e-1-transit, not the first e - early - transit steps (the same only
    # when capacity is constant and whole per step; closures and rounding make them differ)
    firsts = [early[net.tail[a]].astype(np.int64) for a in into]
    total = int(net.pop[reach].sum())

    def shelters_fit(e: int) -> bool:
        got = 0.0
        for z, arcs, first in zip(shelters.tolist(), into, firsts, strict=True):
            room = window_capacity(net, arcs, first, e - net.transit[arcs])
            got += min(float(net.shelter_cap[z]), float(room.sum()))
        return got >= total

    shelter_cut = _smallest(shelters_fit, 1, h)
    return {"nearest": nearest, "source_cut": source_cut, "shelter_cut": shelter_cut}


def dynamic_flow_bound(net: EvacNetwork, upper: int, time_limit: float | None = None,
                       among: np.ndarray | None = None) -> int:
    """Smallest E whose relaxed maximum flow over time reaches everybody (<= ``upper``).

    ``among``: only these sources (their own people must get out in E: a necessary
    condition for every subset of sources, Hoppe and Tardos; a cluster of sources
    behind one bottleneck gives a much better bound than all sources together).
    ``upper`` must be an egress some plan achieves (the heuristic's). Returns 0 when
    no LP answer came back within ``time_limit``.
    """
    import linopy
    import pandas as pd
    import xarray as xr

    from corridor.evacuate.lp import quiet_highs, quiet_linopy, rows_expression

    near = to_shelter(net)
    sources = np.flatnonzero((net.pop > 0) & np.isfinite(near))
    if among is not None:
        sources = np.intersect1d(sources, among)
    need = int(net.pop[sources].sum())
    shelters = np.flatnonzero(net.shelter_cap > 0)
    if need == 0 or len(shelters) == 0 or upper <= 1:
        return min(upper, 1) if need else 0
    m, n = net.m, net.n
    ub = np.where(np.isfinite(net.rate), np.ceil(net.rate - 1e-9), need).clip(max=need)
    k_in = len(sources)
    k_out = len(shelters)
    size = m + k_in + k_out
    upper_b = np.concatenate([ub, np.full(k_in + k_out, np.inf)])
    cols = np.arange(size)
    rows = np.concatenate([net.tail, net.head, sources, shelters])
    vals = np.concatenate([-np.ones(m), np.ones(m), np.ones(k_in), -np.ones(k_out)])
    var_of = np.concatenate([cols[:m], cols[:m], cols[m:m + k_in], cols[m + k_in:]])
    a = sp.csr_matrix((vals, (rows, var_of)), shape=(n, size))
    transit = net.transit.astype(float)

    quiet_highs()

    def solve(e: int) -> tuple[float, float] | None:
        model = linopy.Model()
        v = model.add_variables(lower=np.zeros(size), upper=upper_b,
                                coords=[pd.RangeIndex(size, name="k")], name="f")
        expr, keep = rows_expression(model, a, v)
        model.add_constraints(expr, "==", xr.DataArray(np.zeros(keep.sum()), dims="row"),
                              name="balance")
        c = np.concatenate([-transit, np.zeros(k_in), np.full(k_out, float(e))])
        model.add_objective((xr.DataArray(c, dims="k") * v).sum(), sense="max")
        opts: dict[str, Any] = {"output_flag": False}
        if time_limit is not None:
            opts["time_limit"] = float(time_limit)
        with quiet_linopy():
            status, _ = model.solve(solver_name="highs", io_api="direct", **opts)
        if status != "ok":
            return None
        f = v.solution.values
        return float(f[m + k_in:].sum()), float(transit @ f[:m])

    e = upper
    checked_below = False
    while True:
        got = solve(e)
        if got is None:
            return 0
        value, cost = got
        if e * value - cost < need - 1e-6:
            if checked_below:
                return e + 1
            return e  # upper itself: cannot happen for a true upper bound; stay safe
        nxt = math.ceil((need + cost) / value - 1e-9) if value > 0 else e
        if nxt < e:
            e, checked_below = nxt, False
            continue
        if e <= 1:
            return e
        # Newton stalled: check E - 1 directly (another static flow may still fit)
        e -= 1
        checked_below = True


COARSE_MAX_VARIABLES = 50_000  # size of each relaxed LP the coarse bound may solve
COARSE_MIN_STEPS = 4  # a coarser model than this says too little to be worth solving


def coarse_factor(net: EvacNetwork, upper: int,
                  max_variables: int = COARSE_MAX_VARIABLES) -> int:
    """How many steps the coarse bound must merge to stay within ``max_variables``."""
    from corridor.evacuate.exact import estimate_size

    return max(1, math.ceil(estimate_size(net, upper) / max_variables))


def coarse_bound(net: EvacNetwork, upper: int, time_limit: float | None = None,
                 max_variables: int = COARSE_MAX_VARIABLES) -> tuple[int, int]:
    """The exact model on longer steps (see :meth:`EvacNetwork.coarsened`), bisected.

    Supplies, shelter room and shared bottlenecks all count here, which the cut and
    flow-over-time bounds miss. ``upper`` is an egress some plan achieves. Returns the
    bound in fine steps and the coarsening factor used.
    """
    import time

    from corridor.evacuate.exact import ExpandedLP, expand

    need = int(net.pop[np.isfinite(to_shelter(net))].sum())
    if need == 0 or upper <= 1:
        return (1 if need else 0), 1
    factor = coarse_factor(net, upper, max_variables)
    coarse = net.coarsened(factor)
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    lo, hi = 1, (upper - 1) // factor + 1  # the plan behind `upper` fits in hi
    while lo < hi:
        mid = (lo + hi) // 2
        left = None if deadline is None else deadline - time.perf_counter()
        if left is not None and left <= 0:
            break
        r = ExpandedLP(expand(coarse, mid), everybody=False).solve("max_arrivals", left)
        if r.objective is None:
            break  # out of time (or the solver gave up): keep what is proven
        if round(r.objective) >= need:
            hi = mid
        else:
            lo = mid + 1
    return factor * (lo - 1) + 1, factor
