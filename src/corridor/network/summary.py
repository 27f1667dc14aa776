"""Facts about a network a planner reads first: size by mode and country, connected
parts, unusable links, where rail gauges change, and whether every movement's cargo has
a route."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from corridor.network.cargo import cargo_classes, cargo_of, is_casualty
from corridor.network.gateways import gateway_routes
from corridor.network.graph import MODES, RAIL, Network
from corridor.network.routing import NoRoute, Router, when_available
from corridor.network.stategraph import Rules
from corridor.scenario import Scenario


def by_mode(scenario: Scenario, net: Network) -> pd.DataFrame:
    lk = scenario.links
    rows = []
    for code, mode in enumerate(MODES):
        sel = lk["mode"] == mode
        arcs = net.arcs.mode == code
        if not sel.any():
            continue
        rows.append({"mode": mode, "links": int(sel.sum()), "arcs": int(arcs.sum()),
                     "km": float(lk.loc[sel, "distance_km"].sum()),
                     "unusable_arcs": int((arcs & ~net.arcs.usable).sum())})
    return pd.DataFrame(rows, columns=["mode", "links", "arcs", "km", "unusable_arcs"])


def by_country(scenario: Scenario, net: Network) -> pd.DataFrame:
    """Per country: nodes, links and km inside it, and links (km) crossing its border."""
    nodes = scenario.nodes
    lk = scenario.links
    country = nodes["country"].replace("", "(none)")
    cf = lk["from"].map(country).to_numpy()
    ct = lk["to"].map(country).to_numpy()
    km = lk["distance_km"].to_numpy()
    rows = []
    for c, n in country.value_counts().items():
        inside = (cf == c) & (ct == c)
        border = (cf == c) ^ (ct == c)
        rows.append({"country": c, "nodes": int(n), "links": int(inside.sum()),
                     "km": float(km[inside].sum()), "border_links": int(border.sum()),
                     "border_km": float(km[border].sum())})
    return pd.DataFrame(rows, columns=["country", "nodes", "links", "km", "border_links",
                                       "border_km"])


@dataclass(frozen=True)
class Components:
    count: int
    labels: np.ndarray  # component of each node
    sizes: np.ndarray  # nodes per component, component order

    def members(self, net: Network, c: int, limit: int = 5) -> list[str]:
        return [str(x) for x in net.nodes.ids[self.labels == c][:limit]]


def components(net: Network, usable_only: bool = True) -> Components:
    """Weakly connected parts of the network over (usable) arcs of every mode."""
    n = len(net.nodes)
    m = net.arcs.usable if usable_only else np.ones(len(net.arcs), bool)
    g = sparse.csr_array((np.ones(int(m.sum())), (net.arcs.src[m], net.arcs.dst[m])),
                         shape=(n, n))
    count, labels = connected_components(g, directed=True, connection="weak")
    return Components(int(count), labels, np.bincount(labels, minlength=count))


GAUGE_COLUMNS = ["node", "country", "gauges", "transship_t_per_day", "links"]


def gauge_changes(net: Network) -> pd.DataFrame:
    """Where rail gauges meet: one row per node at which a rail link joins a node of
    another gauge, listing the gauges met there (mm, ascending), the node's
    transshipment capacity (0: none) and those links.

    By the gauge rule the change happens at the end that can transship (each end of a
    dual-gauge link that both can); when neither can, the link is a gauge break and both
    ends are listed with no transshipment, since capacity at either would open it.
    """
    nodes, arcs = net.nodes, net.arcs
    n = len(net.link_ids)  # arc i < n is link i, forward
    src, dst = arcs.src[:n], arcs.dst[:n]
    gf, gt = nodes.gauge_mm[src], nodes.gauge_mm[dst]
    can = nodes.transship_t_per_day > 0
    met: dict[int, tuple[set[int], list[str]]] = {}
    for i in np.flatnonzero((arcs.mode[:n] == RAIL) & (gf != gt)).tolist():
        ends = [int(e) for e in (src[i], dst[i]) if can[e]] or [int(src[i]), int(dst[i])]
        for e in ends:
            gauges, links = met.setdefault(e, (set(), []))
            gauges.update((int(gf[i]), int(gt[i])))
            links.append(str(net.link_ids[i]))
    rows = [{"node": str(nodes.ids[v]), "country": str(nodes.country[v]),
             "gauges": "/".join(str(g) for g in sorted(gauges)),
             "transship_t_per_day": float(nodes.transship_t_per_day[v]),
             "links": ", ".join(links)}
            for v, (gauges, links) in sorted(met.items())]
    return pd.DataFrame(rows, columns=GAUGE_COLUMNS)


FEASIBILITY_COLUMNS = ["movement", "cargo", "count", "ok", "hours", "km", "modes", "fleets",
                       "reason"]


def movement_routes(scenario: Scenario, net: Network, router: Router | None = None,
                    tick: Callable[[], None] | None = None) -> pd.DataFrame:
    """One row per movement and cargo it carries (each item type, people, bulk): is there
    a route, how long, on what, or why not. People riding in the seats of the movement's
    self-moving vehicles need no route of their own."""
    router = router or Router(net)
    rows: list[dict[str, object]] = []
    queries: list[tuple[int, str, str, str, tuple[str, ...]]] = []
    ready: dict[int, float] = {}
    for mid, m in scenario.movements.iterrows():
        via = tuple(m["via"] or ())
        seats = next((c.seats for c in cargo_classes(scenario, str(mid), net)
                      if c.kind == "pax"), 0)
        wants: list[tuple[str, int]] = []
        if int(m["pax"]) > seats:  # a casualty movement's people are patients on litters
            wants.append(("litter" if is_casualty(scenario, str(mid)) else "pax",
                          int(m["pax"]) - seats))
        if float(m["supplies_t"]) > 0:
            wants.append(("bulk", round(float(m["supplies_t"]))))
        wants += [(str(t), int(n)) for t, n in sorted(dict(m["equipment"]).items()) if n > 0]
        for cargo, count in wants:
            ready[len(rows)] = float(m["ready_day"])
            queries.append((len(rows), cargo, str(m["origin"]), str(m["destination"]), via))
            rows.append({"movement": str(mid), "cargo": cargo, "count": count})
        if seats and int(m["pax"]) > 0:
            rows.append({"movement": str(mid), "cargo": "pax (in seats)",
                         "count": min(int(m["pax"]), seats), "ok": True, "hours": np.nan,
                         "km": np.nan, "modes": "", "fleets": "",
                         "reason": "in the seats of its vehicles"})
    # same routing signature and origin one after another: the router reuses its trees
    rules = Rules()
    sig = {c: router.signature(cargo_of(net, c), rules) for c in {q[1] for q in queries}}
    keys = {s: i for i, s in enumerate(dict.fromkeys(sig.values()))}
    queries.sort(key=lambda q: (keys[sig[q[1]]], q[2], q[0]))
    per_tick = max(1, len(queries) // 100)
    for n, (i, cargo, origin, destination, via) in enumerate(queries, start=1):
        try:
            # the gateway rule between via ports, as planner and simulator route it;
            # trips wait for their fleets' available_day from the movement's ready day
            r = when_available(net, gateway_routes(router, origin, destination, cargo,
                                                   via)[0], ready[i] * 24.0)
            rows[i].update(ok=True, hours=r.total_h, km=r.total_km, modes="+".join(r.modes),
                           fleets="+".join(dict.fromkeys(f or "self" for f in r.fleets)),
                           reason="")
        except NoRoute as e:
            rows[i].update(ok=False, hours=np.nan, km=np.nan, modes="", fleets="",
                           reason=e.reason)
        if tick and n % per_tick == 0:
            tick()
    return pd.DataFrame(rows, columns=FEASIBILITY_COLUMNS)
