"""CCRP: the Capacity Constrained Route Planner (Lu, George & Shekhar, SSTD 2005).

Repeatedly send the group that can reach a shelter earliest, along a time-aware
shortest path that respects what is left of every arc's capacity in every step
and of every node's holding capacity, as large as that route allows. Arrival
times only get later as capacity is reserved, so each source keeps its last best
route in a priority queue keyed by its arrival: a route that is still entirely
free is still that source's best and is sent without a new search (only the
source at the top is searched again, one single-source search that stops at the
first shelter with room).

Searches are time-dependent A* (guided by the fewest transit steps to a shelter
with room) and only need routes that beat the next source in the queue: a backward
pass over the capacity left gives, for that deadline, the latest step one may leave
each node and still make a shelter, which prunes most of a congested network and
answers most "not yet" questions without a search at all.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Callable

import numpy as np

from corridor.evacuate.bounds import to_shelter
from corridor.evacuate.network import EvacNetwork, floor_people
from corridor.evacuate.room import Reach, RoomGuard
from corridor.evacuate.solution import Group

Route = list[tuple[int, int]]  # (arc, step it is entered)
Found = tuple[int, int, Route]  # arrival step, shelter, route


class _Capacity:
    """What is left of every arc in every step, and of every node's holding room."""

    def __init__(self, net: EvacNetwork, horizon: int) -> None:
        self.horizon = horizon
        self.big = net.big
        self.rate = net.rate.tolist()
        self.fixed = {a: [self.big if math.isinf(c) else int(c) for c in caps.tolist()]
                      for a, caps in net.fixed_caps.items()}
        # arcs that admit at least one person in every step unless used up: an unused
        # step of theirs is always open (the common case, checked first)
        self.open = [r >= 1.0 and a not in self.fixed for a, r in enumerate(self.rate)]
        self.used: list[dict[int, int]] = [{} for _ in range(net.m)]
        self.full: list[dict[int, int]] = [{} for _ in range(net.m)]
        self.back: list[dict[int, int]] = [{} for _ in range(net.m)]  # same, backwards
        hold = net.hold_cap.tolist()
        self.hold_cap: list[int | None] = [None if math.isinf(c) else int(c) for c in hold]
        self.hold_used: list[dict[int, int]] = [{} for _ in range(net.n)]
        # steps in which a node's waiting room is used up, sorted (capacity_pax 0: all)
        self.hold_full: list[list[int]] = [
            list(range(horizon)) if c == 0 else [] for c in self.hold_cap]

    def cap(self, a: int, t: int) -> int:
        f = self.fixed.get(a)
        if f is not None and t < len(f):
            return f[t]
        r = self.rate[a]
        if math.isinf(r):
            return self.big
        return floor_people(r * (t + 1)) - floor_people(r * t)

    def room(self, a: int, t: int) -> int:
        return self.cap(a, t) - self.used[a].get(t, 0)

    def free_slot(self, a: int, t: int) -> int:
        """Earliest step >= t in which arc a still has room (``horizon`` if none)."""
        full = self.full[a]
        if t not in full and self.open[a] and t not in self.used[a]:
            return t if t < self.horizon else self.horizon
        seen: list[int] = []
        horizon = self.horizon
        while t < horizon:
            nxt = full.get(t)
            if nxt is None:
                if self.room(a, t) > 0:
                    break
                nxt = t + 1
            seen.append(t)
            t = nxt
        for s in seen:  # path compression: skip the whole run next time
            full[s] = t
        return t

    def last_slot(self, a: int, t: int) -> int:
        """Latest step <= t in which arc a still has room (-1 if none)."""
        back = self.back[a]
        if t not in back and self.open[a] and t not in self.used[a]:
            return t
        seen: list[int] = []
        while t >= 0:
            prv = back.get(t)
            if prv is None:
                if self.room(a, t) > 0:
                    break
                prv = t - 1
            seen.append(t)
            t = prv
        for s in seen:
            back[s] = t
        return t

    def hold_room(self, node: int, t0: int, t1: int) -> int:
        """People who may still wait at ``node`` through steps t0..t1-1 (big if no limit)."""
        cap = self.hold_cap[node]
        if cap is None or t1 <= t0:
            return self.big
        used = self.hold_used[node]
        return min(cap - used.get(t, 0) for t in range(t0, t1))

    def take(self, source: int, route: Route, size: int, transit: list[int],
             head: list[int]) -> None:
        node, ready = source, 0
        for i, (a, t) in enumerate(route):
            cap = self.hold_cap[node]
            if i > 0 and cap is not None:
                used = self.hold_used[node]
                for s in range(ready, t):
                    used[s] = used.get(s, 0) + size
                    if used[s] >= cap:
                        full = self.hold_full[node]
                        k = bisect.bisect_left(full, s)
                        if k == len(full) or full[k] != s:
                            full.insert(k, s)
            u = self.used[a]
            u[t] = u.get(t, 0) + size
            node, ready = head[a], t + transit[a]

    def route_room(self, source: int, route: Route, transit: list[int],
                   head: list[int]) -> int:
        """People the route can still take (arcs at their steps, waits at nodes)."""
        room = self.big
        node, ready = source, 0
        for i, (a, t) in enumerate(route):
            if i > 0 and t > ready:
                room = min(room, self.hold_room(node, ready, t))
            room = min(room, self.room(a, t))
            if room <= 0:
                return 0
            node, ready = head[a], t + transit[a]
        return room


Plan = tuple[list[Group], dict[int, int], dict[str, int]]
REPAIRS = 3  # runs that route first the sources earlier runs left people at


def ccrp(
    net: EvacNetwork,
    *,
    horizon: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """Route everyone who can reach a shelter by the horizon.

    Returns the groups, the people left behind per node, and counters (``routes``:
    groups sent, ``searches``: time-aware shortest-path searches, ``cut_short``:
    searches settled early with a bound, ``wasted``: searches that found nothing in
    time, ``deadline_updates``: backward passes, ``room_reserved``: routes cut short
    to keep shelter room for others, ``repairs``: runs after the first, see below;
    all but ``repairs`` of the plan returned).

    Greedy routing by earliest arrival fills the nearest shelters first and sends the
    people with short trips first, which can leave a group with no shelter it can still
    reach in time though another plan would shelter everybody. So room that people can
    use only there is kept for them (:class:`RoomGuard`, on empty-road reach), and a
    run that still leaves people behind while room and reach would place more is
    repaired: run again routing first the sources it left people at (they take the
    roads and the room they need before the others; up to ``REPAIRS`` times, adding
    each run's), and once without keeping room (the plain greedy plan). The plan that
    shelters the most people, then the earliest, then in the least total time, wins.
    """
    h = net.horizon if horizon is None else horizon
    reach = Reach(net, h)

    def guard() -> RoomGuard | None:  # a fresh one per run
        return RoomGuard(reach) if reach.active else None

    best = _ccrp(net, h, progress, guard())
    runs = 0
    if best[1]:
        most = reach.placeable()  # no plan shelters more
        first = set(best[1])
        for _ in range(REPAIRS):
            if _moved(best) >= most:
                break
            last = _ccrp(net, h, None, guard(), first)
            runs += 1
            best = _better(net, best, last)
            if not last[1]:
                break
            first |= set(last[1])
        if best[1] and reach.active and _moved(best) < most:
            best = _better(net, best, _ccrp(net, h, None, None))
            runs += 1
    best[2]["repairs"] = runs
    return best


def _moved(plan: Plan) -> int:
    return sum(g.size for g in plan[0])


def _better(net: EvacNetwork, a: Plan, b: Plan) -> Plan:
    """The plan that shelters more people, then earlier, then in less total time (a on
    a tie)."""
    def key(plan: Plan) -> tuple[int, int, int]:
        steps = [g.arrival_step(net) for g in plan[0]]
        return (-_moved(plan), max(steps, default=-1),
                sum((t + 1) * g.size for t, g in zip(steps, plan[0], strict=True)))

    return b if key(b) < key(a) else a


def _ccrp(net: EvacNetwork, h: int, progress: Callable[[int], None] | None,
          guard: RoomGuard | None, first: set[int] | None = None) -> Plan:
    """CCRP over ``h`` steps; with a ``guard``, room is kept for those who need it;
    the sources in ``first`` are routed before all others."""
    capacity = _Capacity(net, h)
    transit = net.transit.tolist()
    head = net.head.tolist()
    out: list[list[tuple[int, int, int]]] = [[] for _ in range(net.n)]
    for a, (u, v, tau) in enumerate(zip(net.tail.tolist(), head, transit, strict=True)):
        out[u].append((a, v, tau))
    left = net.pop.tolist()
    room: list[float] = net.shelter_cap.tolist()
    counters = {"routes": 0, "searches": 0, "cut_short": 0, "wasted": 0, "deadline_updates": 0}
    # shelters whose room the guard keeps for others: not a destination for this source
    blocked: dict[int, set[int]] = {}
    no_block: set[int] = set()

    no_way = h + 1
    guide: list[int] = []

    def update_guide() -> None:
        """Fewest transit steps to a shelter with room: an A* bound that stays valid
        (only grows) as capacity is used, refreshed when a shelter fills up."""
        near = to_shelter(net, room=np.asarray(room, dtype=float))
        guide[:] = np.where(np.isfinite(near), near, no_way).astype(np.int64).tolist()

    def search(s: int, limit: int = h) -> Found | int | None:
        """Earliest-arrival route from s to a shelter with room.

        Stops early with a lower bound on the arrival (an int) once that bound passes
        ``limit`` (another source's route is sure to be earlier). Waiting is free at
        home but limited at junctions with capacity_pax, so an early arrival at such a
        junction may be stuck where a later one would not be: there the search tells
        arrivals apart by their step and also tries entering the link into it in later
        steps (leaving home, or any place where waiting is free, later), so people are
        only left behind when no route at all is left.
        """
        if limited:
            return search_limited(s, limit)
        return search_from(s, 0, limit)

    limited = any(c is not None for c in capacity.hold_cap)

    into: list[list[tuple[int, int, int]]] = [[] for _ in range(net.n)]
    for a, (u, v, tau) in enumerate(zip(net.tail.tolist(), head, transit, strict=True)):
        into[v].append((a, u, tau))
    # latest[v]: the latest step one may leave v and still be in a shelter with room by
    # step `deadline[0]`, with the capacity left when it was computed. Capacity only
    # shrinks, so a stale value is too late, never too early: still a valid pruning
    # bound for searches that only care about arriving by the deadline.
    latest: list[int] = []
    deadline = [-1, 0]  # [deadline, searches wasted when computed]

    def update_latest(t_max: int) -> None:
        counters["deadline_updates"] += 1
        lat = [-1] * net.n
        heap = []
        for z in range(net.n):
            if room[z] > 0:
                lat[z] = t_max
                heap.append((-t_max, z))
        heapq.heapify(heap)
        last_slot = capacity.last_slot
        while heap:
            neg, v = heappop(heap)
            t = -neg
            if t < lat[v]:
                continue
            for a, u, tau in into[v]:
                if t - tau < 0:
                    continue
                td = last_slot(a, t - tau)
                if td > lat[u]:
                    lat[u] = td
                    heappush(heap, (-td, u))
        latest[:] = lat
        deadline[0], deadline[1] = t_max, counters["wasted"]

    full, used, open_ = capacity.full, capacity.used, capacity.open
    hold_cap, hold_full = capacity.hold_cap, capacity.hold_full
    free_slot, hold_room = capacity.free_slot, capacity.hold_room
    heappop, heappush = heapq.heappop, heapq.heappush

    def search_from(s: int, start: int, limit: int) -> Found | int | None:
        """Time-dependent A* from s, leaving home no earlier than step ``start``."""
        counters["searches"] += 1
        if guide[s] >= no_way:
            return None
        prune = limit < h - 1  # only routes arriving by `limit` matter
        # refresh the bound when the limit moves, or when it has let too many searches
        # through that then found nothing in time (capacity used since made it stale)
        if prune and (limit != deadline[0] or counters["wasted"] - deadline[1] > 5):
            update_latest(limit)
        cut = latest if prune else None
        if cut is not None and cut[s] < start:
            counters["cut_short"] += 1
            return limit + 1  # not even the capacity left allows arriving by the limit
        best = {s: start}
        pred: dict[int, tuple[int, int, int]] = {}
        heap = [(start + guide[s], guide[s], start, s)]
        skip = blocked.get(s, no_block)
        while heap:
            f, _, t, u = heappop(heap)
            if t > best[u]:
                continue
            if f > limit:
                counters["wasted"] += 1  # a search that found nothing in time
                return f  # every route from here arrives after step f - 1
            if u != s and room[u] > 0 and u not in skip:
                route: Route = []
                node = u
                while node != s:
                    prev, a, td = pred[node]
                    route.append((a, td))
                    node = prev
                route.reverse()
                return t, u, route
            waits_limited = u != s and hold_cap[u] is not None
            for a, v, tau in out[u]:
                # the common case inline: an open arc whose step t nobody has used yet
                if open_[a] and t not in used[a] and t not in full[a]:
                    td = t
                else:
                    td = free_slot(a, t)
                    if waits_limited and td > t and hold_room(u, t, td) <= 0:
                        continue
                arr = td + tau
                if cut is not None and td > cut[u]:
                    continue  # leaving u this late, no shelter with room by the limit
                if arr < best.get(v, h):
                    g = guide[v]
                    if arr + g >= h:
                        continue  # cannot make a shelter within the horizon from there
                    best[v] = arr
                    pred[v] = (u, a, td)
                    heappush(heap, (arr + g, g, arr, v))
        if prune:
            counters["wasted"] += 1
        return limit + 1 if prune else None  # pruned: later than the limit, or never

    def search_limited(s: int, limit: int) -> Found | int | None:
        """:func:`search_from` for networks with waiting limits (capacity_pax).

        Where waiting is free (home, and nodes without capacity_pax) the earliest arrival
        is best, since one can wait there for any later step. At a node with a waiting
        limit it is not: each (node, step) is a state of its own, and a link into such
        a node is tried in each step it has room (lazily: a "next step" entry whose key
        bounds the arrival it can give), so every feasible route is within reach and
        A* returns the earliest arrival among them all.
        """
        counters["searches"] += 1
        if guide[s] >= no_way:
            return None
        prune = limit < h - 1
        if prune and (limit != deadline[0] or counters["wasted"] - deadline[1] > 5):
            update_latest(limit)
        cut = latest if prune else None
        if cut is not None and cut[s] < 0:
            counters["cut_short"] += 1
            return limit + 1
        # waiting is free at the source (its own people) and at nodes without a limit
        best = {s: 0}  # nodes where waiting is free: earliest step reached
        seen: set[tuple[int, int]] = set()  # (node, step) reached, limited nodes
        # limited nodes: the last step one may leave them from a state expanded so far;
        # reaching one by then adds nothing (the same waiting room, the same links)
        covered: dict[int, int] = {}
        pred: dict[tuple[int, int], tuple[int, int, int, int]] = {}  # -> (u, t, arc, td)
        # (key, guide, step, node, -1) a state; (key, guide, from step, node, arc, td,
        # window end) "the link a from node in a step after td"
        heap: list[tuple[int, ...]] = [(guide[s], guide[s], 0, s, -1)]
        skip = blocked.get(s, no_block)

        def reach(u: int, t: int, a: int, td: int, v: int) -> None:
            """Enter arc a from (u, t) in step td towards v; push v's state if new."""
            arr = td + transit[a]
            g = guide[v]
            if arr + g >= h:
                return
            if v == s or hold_cap[v] is None:
                if arr < best.get(v, h):
                    best[v] = arr
                    pred[(v, arr)] = (u, t, a, td)
                    heappush(heap, (arr + g, g, arr, v, -1))
            elif (v, arr) not in seen:
                seen.add((v, arr))
                pred[(v, arr)] = (u, t, a, td)
                heappush(heap, (arr + g, g, arr, v, -1))

        def window(u: int, t: int) -> int:
            """Last step one may leave u having reached it in step t: the first step
            from t on whose waiting room is used up (one cannot wait through it)."""
            end = h - 1
            if u != s and hold_cap[u] is not None:
                full = hold_full[u]
                k = bisect.bisect_left(full, t)
                if k < len(full):
                    end = min(end, full[k])
            return min(end, cut[u]) if cut is not None else end

        while heap:
            item = heappop(heap)
            f, t, u = item[0], item[2], item[3]
            if f > limit:
                counters["wasted"] += 1
                return f
            if len(item) > 5:  # the next step with room on a link into a limited node
                a, td, end = item[4], item[5], item[6]
                v = head[a]
                nxt = free_slot(a, max(td + 1, covered.get(v, -1) + 1 - transit[a]))
                if nxt <= end:
                    reach(u, t, a, nxt, v)
                    if nxt + transit[a] + guide[v] + 1 < h:
                        heappush(heap, (nxt + 1 + transit[a] + guide[v], guide[v], t, u,
                                        a, nxt, end))
                continue
            free_here = u == s or hold_cap[u] is None
            if free_here and t > best.get(u, h):
                continue
            if not free_here and t <= covered.get(u, -1):
                continue  # an earlier state here may wait until this step and beyond
            if u != s and room[u] > 0 and u not in skip:
                route: Route = []
                node, when = u, t
                while node != s:  # the source is only ever reached as (s, 0)
                    node, when, a, td = pred[(node, when)]
                    route.append((a, td))
                route.reverse()
                return t, u, route
            end = window(u, t)
            if not free_here:
                covered[u] = end
            for a, v, tau in out[u]:
                td = free_slot(a, t)
                if td > end:
                    continue  # no room on a before u's waiting limit (or the cut)
                reach(u, t, a, td, v)
                if v != s and hold_cap[v] is not None and td < end:
                    g = guide[v]
                    if td + 1 + tau + g < h:
                        heappush(heap, (td + 1 + tau + g, g, t, u, a, td, end))
        if prune:
            counters["wasted"] += 1
        return limit + 1 if prune else None

    update_guide()
    groups: list[Group] = []
    stranded: dict[int, int] = {}
    # (arrival or a lower bound on it, source, tie, shelter, route; -1 and [] when the
    # search was cut short and must be run again)
    queue: list[tuple[int, int, int, int, Route]] = []
    tie = 0

    def strand(s: int) -> None:
        stranded[s] = left[s]
        if guard is not None:
            guard.strand(s)  # keep no room for them

    def sendable(s: int, z: int, route: Route) -> int:
        """People the route may take now: its capacity, the room, and what the guard
        keeps for others (a shelter it keeps all of is no destination for s any more)."""
        if not route:
            return 0
        size = int(min(left[s], room[z], capacity.route_room(s, route, transit, head)))
        if guard is not None and size > 0:
            size = guard.allowed(s, z, size)
            if size <= 0:
                blocked.setdefault(s, set()).add(z)
        return size

    # sources a repair puts first are routed before the others, on the roads they leave
    firsts = sorted(first or ())
    rest = [s for s in range(net.n) if s not in (first or ())]
    for phase in ([firsts] if firsts else []) + [rest]:
        queue = []
        for s in phase:
            if left[s] > 0:
                found = search(s)
                if not isinstance(found, tuple):
                    strand(s)
                    continue
                t, z, route = found
                queue.append((t, s, tie, z, route))
                tie += 1
        heapq.heapify(queue)
        while queue:
            t, s, _, z, route = heapq.heappop(queue)
            if left[s] <= 0:
                continue
            size = sendable(s, z, route)
            if size <= 0:
                found = search(s, queue[0][0] if queue else h)
                if found is None:
                    strand(s)
                    continue
                if isinstance(found, int):
                    heapq.heappush(queue, (found, s, tie, -1, []))
                    tie += 1
                    continue
                t, z, route = found
                if queue and t > queue[0][0]:
                    heapq.heappush(queue, (t, s, tie, z, route))
                    tie += 1
                    continue
                size = sendable(s, z, route)
                if size <= 0:  # z's room is kept for others: search again (t still bounds)
                    heapq.heappush(queue, (t, s, tie, -1, []))
                    tie += 1
                    continue
            capacity.take(s, route, size, transit, head)
            if guard is not None:
                guard.sent(s, z, size)
            left[s] -= size
            room[z] -= size
            groups.append(Group(s, z, size, tuple(a for a, _ in route),
                                tuple(td for _, td in route)))
            counters["routes"] += 1
            if progress is not None:
                progress(size)
            if room[z] <= 0:
                update_guide()
            if left[s] > 0:
                heapq.heappush(queue, (t, s, tie, z, route))
                tie += 1
    counters["room_reserved"] = 0 if guard is None else guard.capped
    return groups, stranded, counters
