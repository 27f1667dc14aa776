"""Reading a plan folder (``corridor plan --out DIR``) into routes, fleets and quotas.

``flows.parquet`` has one row per arc of every planned flow: movement, cargo class,
link, from, to, carrier (empty for a road march), depart / arrive day and the
amount (t, pax, items). Rows of one carrier trip chain up (same movement, class and
carrier; one row arrives where and when the next departs); a chain is one
*segment*. Per movement and class the segments form a flow from origin to
destination, decomposed into paths with amounts — each path becomes a
consignment whose stages follow its segments on the planned fleet. The first
arc's departures become *quotas*: cargo may leave a segment's start no earlier
than the plan sends it (loading starts ``load_h`` before the planned departure).
``carriers.parquet``, where there is one, says where each trip's carrier is free
before it, so the simulator calls a carrier to a trip's start from there in time.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from corridor.network.graph import MODES, Network, build_network
from corridor.network.routing import Leg, Route, Segment
from corridor.scenario import Issue, Scenario, ScenarioError
from corridor.sim.dispatch import Quota, RoutePlan

NEEDED = ("movement", "cargo_class", "link", "from", "to", "carrier", "depart_day",
          "arrive_day", "t", "pax", "items")
TOL = 1e-6

Chain = tuple[str, tuple[int, ...]]  # carrier ('' = march), arcs


@dataclass
class _Chain:
    """Rows of one carrier trip (or march) being chained together."""

    carrier: str
    arcs: list[int]
    start: float
    units: float


def read_plan(folder: Path, scenario: Scenario, net: Network | None = None) -> RoutePlan:
    """Routes, shares, fleets and quotas of the plan in ``folder``."""
    path = folder / "flows.parquet"
    if not path.is_file():
        raise ScenarioError([Issue(str(folder), "no flows.parquet here: give a folder "
                                   "written by 'corridor plan --out DIR'")])
    try:
        flows = pd.read_parquet(path)
    except Exception as e:  # any unreadable file is the user's to fix
        raise ScenarioError([Issue(str(path), f"cannot read: {e}")]) from None
    missing = [c for c in NEEDED if c not in flows.columns]
    if missing:
        raise ScenarioError([Issue(str(path), f"missing column(s) {', '.join(missing)}")])
    _check_scenario(folder, scenario, flows)
    net = net or build_network(scenario)
    flows = flows[flows["movement"].isin(scenario.movements.index)]
    unknown = sorted(set(flows["link"]) - set(net.link_index))
    if unknown:
        raise ScenarioError([Issue(str(path), f"link '{unknown[0]}' is not in the scenario "
                                   "(a plan of another scenario?)", column="link")])
    plan = RoutePlan(quotas=[], source="plan")
    for (mid, key), rows in flows.groupby(["movement", "cargo_class"], sort=True):
        _add(plan, net, scenario, str(mid), str(key), rows)
    plan.set_off = _set_off(folder, net)
    return plan


def _set_off(folder: Path, net: Network
             ) -> dict[tuple[int, int], list[tuple[float, int, float]]]:
    """Where and when the plan's carriers are free before each trip, per (fleet, start
    node): (departure day, the node it drives empty from, the day it is free there),
    from ``carriers.parquet`` (``was_at``, ``free_day``), so a carrier away from home
    after a trip is called from there, not from its fleet's home. The departure is the
    planner step the trip leaves in, loading included (the flows' departures are when
    the carrier enters the link). A folder without it (or an unreadable one) gives
    none: calls reckon from home."""
    path = folder / "carriers.parquet"
    cols = ["fleet", "was_at", "free_day", "from", "depart_day"]
    if not path.is_file():
        return {}
    try:
        rows = pd.read_parquet(path, columns=cols)
    except Exception:  # only a refinement of when carriers are called: do without
        return {}
    fleets, nodes = net.fleets.index, net.nodes.index
    out: dict[tuple[int, int], list[tuple[float, int, float]]] = defaultdict(list)
    for fleet, was_at, free, start, dep in rows.itertuples(index=False, name=None):
        if fleet not in fleets or was_at not in nodes or start not in nodes:
            continue
        out[(int(fleets[fleet]), int(nodes[start]))].append(
            (float(dep), int(nodes[was_at]), float(free)))
    return dict(out)


def _check_scenario(folder: Path, scenario: Scenario, flows: pd.DataFrame) -> None:
    """Refuse a plan made for another scenario: its ``summary.json`` names another
    scenario or other movements, or none of its flows moves one of this scenario's
    movements (supply flows carry ids of their own)."""
    where = str(folder / "summary.json")
    summary = None
    if (folder / "summary.json").is_file():
        try:
            summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ScenarioError([Issue(where, f"cannot read: {e}")]) from None
    if isinstance(summary, dict):
        kind = summary.get("kind")
        if kind is not None and kind != "plan":
            raise ScenarioError([Issue(where, f"a '{kind}' result, not a plan: give a "
                                       "folder written by 'corridor plan --out DIR'")])
        name = summary.get("scenario")
        if name is not None and str(name) != str(scenario.name):
            raise ScenarioError([Issue(where, f"the plan is of scenario '{name}', not "
                                       f"'{scenario.name}' (a plan of another scenario?)",
                                       column="scenario")])
        planned = summary.get("movements")
        if isinstance(planned, list):
            ids = {str(m.get("id")) for m in planned if isinstance(m, dict)}
            ours = {str(x) for x in scenario.movements.index}
            missing, extra = sorted(ours - ids), sorted(ids - ours)
            if missing or extra:
                said = []
                if missing:
                    said.append(f"does not plan movement(s) {_few(missing)}")
                if extra:
                    said.append(f"plans movement(s) {_few(extra)} the scenario does not have")
                raise ScenarioError([Issue(where, f"the plan {' and '.join(said)} (a plan of "
                                           f"another scenario, or of an earlier version of "
                                           f"'{scenario.name}'?)", column="movements")])
    moved = flows["movement"].astype(str)
    if len(moved) and len(scenario.movements) and \
            not moved.isin([str(x) for x in scenario.movements.index]).any():
        raise ScenarioError([Issue(str(folder / "flows.parquet"), "no flow moves a movement "
                                   f"of '{scenario.name}' (a plan of another scenario?)",
                                   column="movement")])


def _few(ids: list[str], n: int = 3) -> str:
    more = len(ids) - n
    return ", ".join(f"'{x}'" for x in ids[:n]) + (f" (+{more} more)" if more > 0 else "")


def _arc(net: Network, link: str, a: str, b: str) -> int:
    arcs = net.arcs
    k = net.link_index[link]
    src, dst = net.nodes.index[a], net.nodes.index[b]
    hit = np.flatnonzero((arcs.link == k) & (arcs.src == src) & (arcs.dst == dst))
    return int(hit[0])


def _units(rows: pd.DataFrame, key: str) -> np.ndarray:
    if key == "pax":
        return rows["pax"].to_numpy(dtype=float)
    if key in ("bulk", "litter"):
        return rows["t"].to_numpy(dtype=float) if key == "bulk" else \
            rows["pax"].to_numpy(dtype=float)
    return np.array([sum(json.loads(x).values()) if isinstance(x, str) else float(x)
                     for x in rows["items"]])


def _add(plan: RoutePlan, net: Network, scenario: Scenario, mid: str, key: str,
         rows: pd.DataFrame) -> None:
    m = scenario.movements.loc[mid]
    rows = rows.assign(units=_units(rows, key)).sort_values(["depart_day", "link"])
    rows = rows[rows["units"] > TOL]
    # chain rows into carrier trips (segments)
    recs = list(rows[["carrier", "link", "from", "to", "depart_day", "arrive_day",
                      "units"]].itertuples(index=False, name=None))
    open_: dict[tuple[str, str, float], list[_Chain]] = defaultdict(list)
    chains: list[_Chain] = []
    for carrier, link, a, b, dep, arr, units in recs:
        carrier = "" if carrier is None or (isinstance(carrier, float) and math.isnan(carrier)) \
            else str(carrier)
        arc = _arc(net, str(link), str(a), str(b))
        cand = open_.get((carrier, str(a), round(float(dep), 6)))
        ch = None
        if cand:
            for i, c in enumerate(cand):
                if abs(c.units - units) <= TOL * max(1.0, units):
                    ch = cand.pop(i)
                    break
        if ch is None:
            ch = _Chain(carrier, [], float(dep), float(units))
            chains.append(ch)
        ch.arcs.append(arc)
        open_[(carrier, str(b), round(float(arr), 6))].append(ch)
    # segment types and their flow between places
    amount: dict[Chain, float] = defaultdict(float)
    starts: dict[Chain, list[tuple[float, float]]] = defaultdict(list)
    for ch in chains:
        sig = (ch.carrier, tuple(ch.arcs))
        amount[sig] += ch.units
        starts[sig].append((ch.start, ch.units))
    origin, dest = net.nodes.index[str(m["origin"])], net.nodes.index[str(m["destination"])]
    paths = _decompose(net, amount, origin, dest)
    if not paths:
        plan.reasons[(mid, key)] = "the plan delivers none of it"
        return
    use: dict[Chain, float] = defaultdict(float)
    for sigs, x in paths:
        for sig in sigs:
            use[sig] += x
    routes = []
    for rno, (sigs, x) in enumerate(paths):
        routes.append((_route(net, str(m["origin"]), str(m["destination"]), sigs), x))
        plan.fleets[(mid, key, rno)] = [
            frozenset() if sig[0] == "" else frozenset({int(net.fleets.index[sig[0]])})
            for sig in sigs]
        for k, sig in enumerate(sigs):
            share = x / use[sig]
            load_d = 0.0 if sig[0] == "" else \
                float(net.fleets.load_h[net.fleets.index[sig[0]]]) / 24.0
            for dep, units in starts[sig]:
                q: Quota = (max(dep - load_d, 0.0), mid, key, rno, k, units * share)
                assert plan.quotas is not None
                plan.quotas.append(q)
    plan.routes[(mid, key)] = routes


def _decompose(net: Network, amount: dict[Chain, float], origin: int, dest: int
               ) -> list[tuple[list[Chain], float]]:
    """Paths origin -> destination over segment types, with their amounts."""
    left = dict(amount)
    out_of: dict[int, list[Chain]] = defaultdict(list)
    for sig in sorted(left):
        out_of[int(net.arcs.src[sig[1][0]])].append(sig)
    paths: list[tuple[list[Chain], float]] = []
    for _ in range(len(left) * 4 + 4):
        path: list[Chain] = []
        seen = {origin}
        v = origin
        while v != dest:
            nxt = max((s for s in out_of[v] if left[s] > TOL
                       and int(net.arcs.dst[s[1][-1]]) not in seen),
                      key=lambda s: left[s], default=None)
            if nxt is None:
                break
            path.append(nxt)
            v = int(net.arcs.dst[nxt[1][-1]])
            seen.add(v)
        if v != dest or not path:
            break
        x = min(left[s] for s in path)
        for s in path:
            left[s] -= x
        paths.append((path, x))
    return paths


def _route(net: Network, origin: str, destination: str, sigs: list[Chain]) -> Route:
    """A Route object (segments of legs) for a path of planned segments."""
    segments = []
    t = 0.0
    for carrier, arcs in sigs:
        legs = []
        for a in arcs:
            legs.append(Leg(arc=a, link=str(net.link_ids[net.arcs.link[a]]),
                            from_node=str(net.nodes.ids[net.arcs.src[a]]),
                            to_node=str(net.nodes.ids[net.arcs.dst[a]]),
                            mode=MODES[int(net.arcs.mode[a])], fleet=carrier or None,
                            km=float(net.arcs.km[a]), hours=0.0, start_h=t,
                            gauge_mm=int(net.arcs.gauge_mm[a])))
        segments.append(Segment(carrier or None, legs[0].from_node, legs[-1].to_node,
                                tuple(legs), 0.0, 0.0, t))
    return Route(origin, destination, "", (), tuple(segments), (), 0.0, math.inf, None)
