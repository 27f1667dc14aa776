"""The multimodal network as integer-indexed numpy arrays (docs/model.md, "Links and arcs").

:func:`build_network` turns a :class:`~corridor.scenario.Scenario` into a frozen
:class:`Network`: nodes, directed arcs (a bidirectional link is two arcs with the
same limits), fleets and equipment types as arrays, plus per-mode CSR adjacency.
Everything is vectorised over arcs so a 10,000-node network builds in well under
a second. Engines index arrays by position; ids are only for messages and tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from corridor.scenario import Scenario
from corridor.scenario.schema import MODE_SPEED_KMH, MODES

MODE_CODE: dict[str, int] = {m: i for i, m in enumerate(MODES)}
ROAD, RAIL = MODE_CODE["road"], MODE_CODE["rail"]

# Why an arc is unusable (``Arcs.reason``); 0 = usable.
OK, GAUGE_BREAK, CLOSED, NO_SPEED = 0, 1, 2, 3
REASON_TEXT = {
    OK: "",
    GAUGE_BREAK: "gauge break with no transshipment",
    CLOSED: "capacity_per_day 0",
    NO_SPEED: "speed_kmh 0",
}

Int = NDArray[np.int32]
Float = NDArray[np.float64]
Bool = NDArray[np.bool_]
Obj = NDArray[np.object_]


@dataclass(frozen=True)
class Nodes:
    ids: Obj
    index: Mapping[str, int]
    lat: Float
    lon: Float
    country: Obj
    kind: Obj
    gauge_mm: Int
    transship_t_per_day: Float
    transfer_h: Float
    handling_t_per_day: Float

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Arcs:
    """Directed arcs. Arc ``i < n_links`` is link ``i`` forward; the reverse arcs of
    bidirectional links follow. A rail arc runs on ``gauge_mm``; ``gauge_alt_mm``
    differs only when both ends can transship (a dual-gauge arc, usable by either)."""

    link: Int  # row in Network.links
    src: Int
    dst: Int
    mode: NDArray[np.int8]
    km: Float
    max_mlc: Float  # inf = unlimited
    capacity_per_day: Float
    flow_per_h: Float
    speed_kmh: Float  # cap over the arc; inf = the carrier's speed
    gauge_mm: Int  # 0 for non-rail arcs
    gauge_alt_mm: Int
    usable: Bool
    reason: NDArray[np.int8]  # OK / GAUGE_BREAK / CLOSED / NO_SPEED
    out_ptr: NDArray[np.int64]  # CSR over source nodes: arcs out of node v are
    out_arcs: Int  # out_arcs[out_ptr[v]:out_ptr[v+1]]

    def __len__(self) -> int:
        return len(self.src)


@dataclass(frozen=True)
class Fleets:
    ids: Obj
    index: Mapping[str, int]
    mode: NDArray[np.int8]
    count: Int
    home: Int
    gauge_mm: Int  # 0 for non-rail fleets
    speed_kmh: Float
    load_h: Float
    unload_h: Float
    capacity_t: Float
    capacity_m2: Float
    capacity_pax: Float
    capacity_litters: Float
    max_item_mlc: Float
    available_day: Float

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Items:
    """Equipment types (catalog merged with the scenario's own rows)."""

    ids: Obj
    index: Mapping[str, int]
    mass_t: Float
    footprint_m2: Float
    mlc: Float
    seats: Int
    march_km_per_day: Float

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Network:
    nodes: Nodes
    link_ids: Obj
    link_index: Mapping[str, int]
    arcs: Arcs
    fleets: Fleets
    items: Items
    horizon_days: float
    adjacency: Mapping[str, sparse.csr_array] = field(repr=False)  # mode -> km (usable arcs)

    def arc_reason(self, a: int) -> str:
        """Why arc ``a`` is unusable, in words ('' if usable)."""
        code = int(self.arcs.reason[a])
        if code == GAUGE_BREAK:
            s, d = int(self.arcs.src[a]), int(self.arcs.dst[a])
            return (f"gauge break {self.nodes.gauge_mm[s]}→{self.nodes.gauge_mm[d]} between "
                    f"{self.nodes.ids[s]} and {self.nodes.ids[d]} with no transshipment")
        return REASON_TEXT[code]

    def arc_label(self, a: int) -> str:
        return (f"{self.link_ids[self.arcs.link[a]]} "
                f"({self.nodes.ids[self.arcs.src[a]]}→{self.nodes.ids[self.arcs.dst[a]]})")

    def mode_graph(self, mode: str, weight: Float | None = None,
                   arcs: Bool | None = None) -> sparse.csr_array:
        """n×n CSR of ``mode`` arcs (usable ones unless ``arcs`` is given), weighted by
        ``weight`` (default km); parallel arcs keep the smallest weight."""
        a = self.arcs
        mask = (a.mode == MODE_CODE[mode]) & (a.usable if arcs is None else arcs)
        w = a.km if weight is None else weight
        return csr_min(a.src[mask], a.dst[mask], w[mask], len(self.nodes))


def csr_min(src: NDArray[Any], dst: NDArray[Any], w: NDArray[Any], n: int) -> sparse.csr_array:
    """CSR matrix keeping the smallest weight of duplicate (src, dst) pairs (scipy would sum
    them). Zero weights are kept as explicit entries (scipy.sparse.csgraph treats explicit
    zeros of a sparse matrix as edges)."""
    order = np.lexsort((w, dst, src))
    s, d, ww = src[order], dst[order], w[order]
    first = np.ones(len(s), dtype=bool)
    first[1:] = (s[1:] != s[:-1]) | (d[1:] != d[:-1])
    s, d, ww = s[first], d[first], ww[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(s, minlength=n), out=indptr[1:])
    return sparse.csr_array((ww.astype(float), d.astype(np.int32), indptr), shape=(n, n))


def _index(ids: Obj) -> dict[str, int]:
    return dict(zip(ids.tolist(), range(len(ids)), strict=True))


def _f(frame: pd.DataFrame, col: str) -> Float:
    return frame[col].to_numpy(dtype=np.float64)


def _build_nodes(s: Scenario) -> Nodes:
    n = s.nodes
    ids = n.index.to_numpy(dtype=object)
    return Nodes(
        ids=ids,
        index=_index(ids),
        lat=_f(n, "lat"),
        lon=_f(n, "lon"),
        country=n["country"].to_numpy(dtype=object),
        kind=n["kind"].to_numpy(dtype=object),
        gauge_mm=n["rail_gauge_mm"].to_numpy(dtype=np.int32),
        transship_t_per_day=_f(n, "transship_t_per_day"),
        transfer_h=_f(n, "transfer_h"),
        handling_t_per_day=_f(n, "handling_t_per_day"),
    )


def link_gauges(mode: NDArray[np.integer[Any]], gf: NDArray[np.integer[Any]],
                gt: NDArray[np.integer[Any]], tf: Bool, tt: Bool) -> tuple[Int, Int, Bool]:
    """The gauge rule of docs/model.md for links whose ends have gauges ``gf``/``gt``
    and can transship (``tf``/``tt``): returns (gauge, alternative gauge, gauge break).

    Equal ends: that gauge. Different ends, one transships: the gauge of the *other*
    end. Both transship: a dual-gauge arc usable by either (our reading; model.md is
    silent). Neither: a gauge break nothing crosses."""
    rail = mode == RAIL
    same = gf == gt
    g = np.where(same, gf, np.where(tf & ~tt, gt, gf)).astype(np.int32)
    alt = np.where(same, gf, np.where(tf & tt, gt, g)).astype(np.int32)
    broken = rail & ~same & ~tf & ~tt
    zero = np.zeros_like(g)
    return np.where(rail, g, zero), np.where(rail, alt, zero), broken


def _build_arcs(s: Scenario, nodes: Nodes) -> Arcs:
    lk = s.links
    idx = pd.Index(nodes.ids)
    src = idx.get_indexer(pd.Index(lk["from"])).astype(np.int32)
    dst = idx.get_indexer(pd.Index(lk["to"])).astype(np.int32)
    mode = lk["mode"].map(MODE_CODE).to_numpy().astype(np.int8)
    km = _f(lk, "distance_km")
    speed = _f(lk, "speed_kmh")
    cap = _f(lk, "capacity_per_day")
    gauge, alt, broken = link_gauges(mode, nodes.gauge_mm[src], nodes.gauge_mm[dst],
                                     nodes.transship_t_per_day[src] > 0,
                                     nodes.transship_t_per_day[dst] > 0)
    reason = np.where(broken, GAUGE_BREAK, np.where(cap <= 0, CLOSED,
                      np.where(speed <= 0, NO_SPEED, OK))).astype(np.int8)
    rev = np.flatnonzero(lk["bidirectional"].to_numpy(dtype=bool))
    both = np.concatenate([np.arange(len(lk)), rev]).astype(np.int32)
    a_src = np.concatenate([src, dst[rev]])
    a_dst = np.concatenate([dst, src[rev]])
    order = np.argsort(a_src, kind="stable")
    ptr = np.zeros(len(nodes) + 1, dtype=np.int64)
    np.cumsum(np.bincount(a_src, minlength=len(nodes)), out=ptr[1:])
    return Arcs(
        link=both,
        src=a_src,
        dst=a_dst,
        mode=mode[both].astype(np.int8),
        km=km[both],
        max_mlc=_f(lk, "max_mlc")[both],
        capacity_per_day=cap[both],
        flow_per_h=_f(lk, "flow_per_h")[both],
        speed_kmh=speed[both],
        gauge_mm=gauge[both],
        gauge_alt_mm=alt[both],
        usable=(reason == OK)[both],
        reason=reason[both],
        out_ptr=ptr,
        out_arcs=order.astype(np.int32),
    )


def _build_fleets(s: Scenario, nodes: Nodes) -> Fleets:
    c = s.carriers
    ids = c.index.to_numpy(dtype=object)
    mode = c["mode"].map(MODE_CODE).fillna(0).to_numpy().astype(np.int8)
    gauge = np.where(mode == RAIL, c["rail_gauge_mm"].to_numpy(dtype=np.int64), 0)
    speed = _f(c, "speed_kmh") if len(c) else np.zeros(0)
    return Fleets(
        ids=ids,
        index=_index(ids),
        mode=mode,
        count=c["count"].to_numpy(dtype=np.int32),
        home=pd.Index(nodes.ids).get_indexer(pd.Index(c["home"])).astype(np.int32),
        gauge_mm=gauge.astype(np.int32),
        speed_kmh=speed,
        load_h=_f(c, "load_h"),
        unload_h=_f(c, "unload_h"),
        capacity_t=_f(c, "capacity_t"),
        capacity_m2=_f(c, "capacity_m2"),
        capacity_pax=_f(c, "capacity_pax"),
        capacity_litters=_f(c, "capacity_litters"),
        max_item_mlc=_f(c, "max_item_mlc"),
        available_day=_f(c, "available_day"),
    )


def _build_items(s: Scenario) -> Items:
    e = s.equipment
    ids = e.index.to_numpy(dtype=object)
    return Items(
        ids=ids,
        index=_index(ids),
        mass_t=_f(e, "mass_t"),
        footprint_m2=_f(e, "footprint_m2"),
        mlc=_f(e, "mlc"),
        seats=e["seats"].to_numpy(dtype=np.int32),
        march_km_per_day=_f(e, "road_march_km_per_day"),
    )


def build_network(scenario: Scenario) -> Network:
    """Arrays for the engines; see :class:`Network`."""
    nodes = _build_nodes(scenario)
    arcs = _build_arcs(scenario, nodes)
    link_ids = scenario.links.index.to_numpy(dtype=object)
    net = Network(
        nodes=nodes,
        link_ids=link_ids,
        link_index=_index(link_ids),
        arcs=arcs,
        fleets=_build_fleets(scenario, nodes),
        items=_build_items(scenario),
        horizon_days=float(scenario.horizon_days),
        adjacency={},
    )
    adjacency = {m: net.mode_graph(m) for m in MODES}
    object.__setattr__(net, "adjacency", adjacency)  # computed from the frozen arrays
    return net


def mode_speed(mode: int) -> float:
    """Default speed of a mode (km/h), for carrier-less estimates."""
    return MODE_SPEED_KMH[MODES[mode]]
