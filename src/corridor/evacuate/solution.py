"""What both methods produce: groups of evacuees on timed routes, and their checks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from corridor.evacuate.network import EvacNetwork


@dataclass(frozen=True)
class Group:
    """``size`` people from node ``source`` entering ``arcs[i]`` in step ``departs[i]``.

    A group with no arcs sheltered in place at its own node (arrival 0 h).
    """

    source: int
    shelter: int
    size: int
    arcs: tuple[int, ...]
    departs: tuple[int, ...]

    def arrival_step(self, net: EvacNetwork) -> int:
        """Step during which the group reaches its shelter (-1: sheltered in place)."""
        if not self.arcs:
            return -1
        return self.departs[-1] + int(net.transit[self.arcs[-1]])


@dataclass
class Solution:
    """An evacuation plan in steps, before it is turned into tables."""

    method: str  # exact | heuristic
    status: str  # optimal | feasible | infeasible | time_limit
    groups: list[Group]
    lower_bound: int  # steps: no plan empties the network in fewer
    stranded: dict[int, int] = field(default_factory=dict)  # node -> people left behind
    stats: dict[str, Any] = field(default_factory=dict)

    def egress_steps(self, net: EvacNetwork) -> int:
        """Steps until the last evacuee is in a shelter (0 when nobody had to move)."""
        return max((g.arrival_step(net) + 1 for g in self.groups), default=0)

    @property
    def arrived(self) -> int:
        return sum(g.size for g in self.groups)


def sheltered_in_place(net: EvacNetwork) -> list[Group]:
    """Groups for people already at a shelter with room (they do not move)."""
    return [Group(int(i), int(i), int(net.sheltered_in_place[i]), (), ())
            for i in np.flatnonzero(net.sheltered_in_place > 0)]


def violations(net: EvacNetwork, groups: list[Group], horizon: int | None = None) -> list[str]:
    """Every way ``groups`` break the model (empty list: a feasible plan).

    Checks route continuity and timing, arc capacity per step, holding capacity
    (capacity_pax), shelter room, the horizon and that nobody moves twice.
    """
    out: list[str] = []
    h = net.horizon if horizon is None else horizon
    arc_load: dict[tuple[int, int], int] = defaultdict(int)
    hold_load: dict[tuple[int, int], int] = defaultdict(int)
    moved = np.zeros(net.n, dtype=np.int64)
    sheltered = np.zeros(net.n, dtype=np.int64)
    for k, g in enumerate(groups):
        if g.size <= 0:
            out.append(f"group {k}: size {g.size}")
        if not g.arcs:
            if g.source != g.shelter:
                out.append(f"group {k}: no route but source != shelter")
            sheltered[g.shelter] += g.size
            continue
        moved[g.source] += g.size
        sheltered[g.shelter] += g.size
        node, ready = g.source, 0
        for i, (a, t) in enumerate(zip(g.arcs, g.departs, strict=True)):
            if int(net.tail[a]) != node:
                out.append(f"group {k}: arc {i} does not start where the route is")
            if t < ready:
                out.append(f"group {k}: arc {i} entered at step {t} before arriving ({ready})")
            if i > 0:
                for s in range(ready, t):
                    hold_load[(node, s)] += g.size
            arc_load[(a, t)] += g.size
            node, ready = int(net.head[a]), t + int(net.transit[a])
        if node != g.shelter:
            out.append(f"group {k}: route ends at {net.node_ids[node]}, not its shelter")
        if not net.is_shelter[g.shelter]:
            out.append(f"group {k}: {net.node_ids[g.shelter]} is not a shelter")
        if ready > h - 1:
            out.append(f"group {k}: arrives in step {ready}, after the horizon ({h} steps)")
    for (a, t), load in arc_load.items():
        cap = net.cap(a, t)
        if load > cap + 1e-9:
            out.append(f"arc {a} ({net.link_ids[net.link[a]]}) step {t}: {load} > {cap:g}")
    for (node, t), load in hold_load.items():
        if load > net.hold_cap[node] + 1e-9:
            out.append(f"node {net.node_ids[node]} step {t}: {load} held > capacity_pax "
                       f"{net.hold_cap[node]:g}")
    over_pop = np.flatnonzero(moved > net.pop)
    for i in over_pop.tolist():
        out.append(f"node {net.node_ids[i]}: {moved[i]} moved > population {net.pop[i]}")
    over_room = np.flatnonzero(sheltered > net.shelter_total)
    for i in over_room.tolist():
        out.append(f"shelter {net.node_ids[i]}: {sheltered[i]} > capacity "
                   f"{net.shelter_total[i]:g}")
    return out
