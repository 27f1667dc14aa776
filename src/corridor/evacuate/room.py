"""Shelter room kept for those who need it: the heuristic's guard against greedy stranding.

CCRP sends whoever arrives earliest to the nearest shelter with room. Where people
differ in the shelters they can reach in time, that can fill a shelter with people
who had somewhere else to go, and strand a later group that could only go there
(QA round 16: two towns, two shelters, one of them within reach of both). The guard
tracks a static transportation problem, people still to place -> shelters they can
reach within the horizon on empty roads -> room left, and lets a route take only as
many people to a shelter as keeps the most people who can still be placed: the room
the others need is reserved for them.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_flow

from corridor.evacuate.network import EvacNetwork

INT32_MAX = 2**31 - 1  # scipy's maximum_flow works in int32


def steps_to_shelters(net: EvacNetwork, nodes: np.ndarray) -> np.ndarray:
    """Fewest transit steps from each of ``nodes`` (columns) to every shelter (rows, in
    node order), over the arcs that admit somebody within the horizon (inf: none)."""
    out = np.empty((int(net.is_shelter.sum()), len(nodes)))
    for k, block in _shelter_blocks(net, nodes):
        out[k:k + len(block)] = block
    return out


def reaches_in(net: EvacNetwork, nodes: np.ndarray, steps: int) -> np.ndarray:
    """Whether each of ``nodes`` (columns) reaches each shelter (rows) within ``steps``
    transit steps: :func:`steps_to_shelters` <= steps, a byte a cell."""
    out = np.empty((int(net.is_shelter.sum()), len(nodes)), dtype=bool)
    for k, block in _shelter_blocks(net, nodes):
        out[k:k + len(block)] = block <= steps
    return out


def _shelter_blocks(net: EvacNetwork, nodes: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """(first row, fewest steps) for slices of 256 shelters: many shelters, many nodes."""
    from scipy.sparse.csgraph import dijkstra

    shelters = np.flatnonzero(net.is_shelter)
    arcs = np.flatnonzero(net.cumulative(np.arange(net.m), np.full(net.m, net.horizon)) > 0)
    if len(arcs) == 0:
        yield 0, np.where(shelters[:, None] == nodes[None, :], 0.0, np.inf)
        return
    w = net.transit[arcs].astype(float) + 1e-7  # zero-transit arcs stay edges
    # the reversed graph, keeping the cheaper of parallel arcs
    a, b = net.head[arcs], net.tail[arcs]
    order = np.lexsort((w, b, a))
    a, b, w = a[order], b[order], w[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    graph = sp.csr_matrix((w[first], (a[first], b[first])), shape=(net.n, net.n))
    for k in range(0, len(shelters), 256):
        rows = shelters[k:k + 256]
        dist = np.asarray(dijkstra(graph, directed=True, indices=rows))
        dist = dist.reshape(len(rows), net.n)[:, nodes]
        yield k, np.where(np.isfinite(dist), np.floor(dist + 1e-6), np.inf)


class Reach:
    """Who can reach which shelter within the horizon on empty roads, worked out once.

    Sources that reach the same shelters are interchangeable, so the transportation
    problem (people -> shelters they reach -> room) is solved over their *reach
    classes*: few, however many sources.
    """

    def __init__(self, net: EvacNetwork, horizon: int) -> None:
        self.shelters = np.flatnonzero(net.is_shelter)
        sources = np.flatnonzero(net.pop > 0)
        reach = reaches_in(net, sources, horizon - 1)  # (shelters, sources)
        self.row = {int(z): r for r, z in enumerate(self.shelters.tolist())}
        self.col = {int(i): c for c, i in enumerate(sources.tolist())}
        self.need = net.pop[sources].astype(np.int64)
        self.big = min(int(self.need.sum()) + 1, INT32_MAX)
        cap = net.shelter_cap[self.shelters]
        self.unlimited = ~np.isfinite(cap)
        self.room = np.where(self.unlimited, self.big, np.minimum(cap, self.big)).astype(
            np.int64)
        classes, klass = np.unique(reach.T, axis=0, return_inverse=True)
        self.klass = klass.ravel()
        self.reach = classes.T  # (shelters, classes)
        # room is never short for anyone when every class reaches an unlimited shelter,
        # or when one class reaches the same shelters as everybody
        with_room = self.reach & (self.room[:, None] > 0)
        self.active = bool(len(classes) > 1
                           and not (with_room & self.unlimited[:, None]).any(axis=0).all())

    def demand(self, need: np.ndarray) -> np.ndarray:
        """People per reach class."""
        return np.bincount(self.klass, weights=need,
                           minlength=self.reach.shape[1]).astype(np.int64)

    def placeable(self, demand: np.ndarray | None = None,
                  room: np.ndarray | None = None) -> int:
        """Most people who can be placed (default: everybody, all the room): a max flow
        classes -> reachable shelters -> room, an upper bound on who can arrive."""
        demand = self.demand(self.need) if demand is None else demand
        room = self.room if room is None else room
        k, n_z = len(demand), len(room)
        sink = 1 + k + n_z
        zi, ci = np.nonzero(self.reach)
        rows = np.concatenate([np.zeros(k, np.int64), 1 + ci, 1 + k + np.arange(n_z)])
        cols = np.concatenate([1 + np.arange(k), 1 + k + zi, np.full(n_z, sink)])
        caps = np.concatenate([demand, np.full(len(zi), self.big), room])
        keep = caps > 0
        graph = sp.csr_matrix((caps[keep].astype(np.int32), (rows[keep], cols[keep])),
                              shape=(sink + 1, sink + 1))
        return int(maximum_flow(graph, 0, sink).flow_value)


class RoomGuard:
    """How many people a route may take to a shelter without stranding others (one
    CCRP run's state: people still to place and room left).

    A route takes only as many people as keeps the most people who can still be
    placed (:class:`Reach`): room that others can use only there is theirs. Use
    :meth:`allowed` before sending, then :meth:`sent`; :meth:`strand` drops people the
    heuristic gives up on, so no room is kept for them.
    """

    def __init__(self, reach: Reach) -> None:
        self.reach = reach
        self.need = reach.need.copy()
        self.room = reach.room.copy()
        self.capped = 0  # routes cut short (a counter for the summary)

    def allowed(self, source: int, shelter: int, want: int) -> int:
        """Most of ``want`` people from ``source`` that ``shelter`` may take now."""
        reach = self.reach
        z = reach.row[shelter]
        if not reach.active or reach.unlimited[z] or want <= 0:
            return want
        c = reach.col[source]
        k = reach.klass[c]
        demand = reach.demand(self.need)
        mine = int(self.need[c]) if reach.reach[z, k] else 0
        if self.room[z] - want >= int(demand[reach.reach[z]].sum()) - mine:
            return want  # room enough left for all who could come
        best = reach.placeable(demand, self.room)

        def keeps(x: int) -> bool:
            d, r = demand.copy(), self.room.copy()
            d[k] -= x
            r[z] -= x
            return reach.placeable(d, r) + x >= best

        if keeps(want):
            return want
        lo, hi = 0, want - 1  # sending nobody changes nothing
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if keeps(mid):
                lo = mid
            else:
                hi = mid - 1
        self.capped += 1
        return lo

    def sent(self, source: int, shelter: int, people: int) -> None:
        self.need[self.reach.col[source]] -= people
        z = self.reach.row[shelter]
        if not self.reach.unlimited[z]:
            self.room[z] -= people

    def strand(self, source: int) -> None:
        self.need[self.reach.col[source]] = 0
