"""The network map: country outlines shipped with the package, links coloured
by mode and sized by the tonnes the plan moves over them, bottlenecks marked.

Drawn with ``Scattergeo`` and every plotly base layer (land, coastlines,
countries, ...) switched off: plotly.js then never fetches its topojson from
the CDN, so the map works offline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from corridor.report import palette
from corridor.report.outlines import attribution, load_outlines
from corridor.scenario import Scenario

NODE_SYMBOL = {
    "origin": "circle",
    "port": "square",
    "airbase": "triangle-up",
    "rail_terminal": "diamond",
    "border_crossing": "x",
    "hospital": "cross",
    "depot": "hexagon",
    "staging_area": "pentagon",
    "front": "star",
    "road_hub": "circle-open",
    "training_site": "triangle-down",
    "population_center": "square-open",
    "shelter": "diamond-open",
}
WIDTH_BINS = (0.0, 0.05, 0.2, 0.5, 1.0)  # share of the busiest link's tonnes
WIDTHS = (1.6, 2.6, 4.0, 6.0)
BUSY = 0.8  # utilisation from which a link is drawn as busy
MAX_LABELS = 18  # node names printed on one map


@dataclass(frozen=True)
class LinkLoad:
    """What the plan puts on each link (index: link id)."""

    frame: pd.DataFrame  # columns t, trips, pax, utilization (NaN = unknown)


def link_loads(scenario: Scenario, flows: pd.DataFrame | None,
               bottlenecks: list[dict[str, object]]) -> LinkLoad:
    links = scenario.links
    out = pd.DataFrame(index=links.index, data={"t": 0.0, "trips": 0.0, "pax": 0.0,
                                                "utilization": np.nan})
    if flows is not None and len(flows) and "link" in flows.columns:
        f = flows[flows["link"].isin(links.index)]
        for col in ("t", "pax"):
            if col in f.columns:
                out[col] = f.groupby("link")[col].sum().reindex(links.index).fillna(0.0)
        if {"trips", "depart_day"} <= set(f.columns) and len(f):
            # A flow row is one cargo class on one carrier run; classes sharing a run
            # repeat its trips, so count each (link, direction, fleet, departure) once.
            side = f["from"] if "from" in f.columns else pd.Series("", index=f.index)
            fleet = f["carrier"] if "carrier" in f.columns else pd.Series("", index=f.index)
            legs = pd.DataFrame({"link": f["link"], "side": side, "fleet": fleet,
                                 "dep": f["depart_day"].astype(float),
                                 "trips": f["trips"].astype(float)})
            legs = legs.groupby(["link", "side", "fleet", "dep"])["trips"].max().reset_index()
            out["trips"] = legs.groupby("link")["trips"].sum().reindex(links.index).fillna(0.0)
            # Peak departures in one direction on one day, against capacity_per_day.
            legs["day"] = np.floor(legs["dep"])
            peak = legs.groupby(["link", "side", "day"])["trips"].sum().groupby(level=0).max()
            cap = links["capacity_per_day"].astype(float)
            finite = cap[np.isfinite(cap) & (cap > 0)]
            util = (peak.reindex(finite.index) / finite).dropna()
            out.loc[util.index, "utilization"] = util
    for b in bottlenecks:
        bid = str(b.get("id", ""))
        u = b.get("utilization")
        if bid in out.index and isinstance(u, int | float) and math.isfinite(u):
            out.loc[bid, "utilization"] = float(u)
    return LinkLoad(out)


def split_theatre(scenario: Scenario) -> list[str] | None:
    """Node ids of the theatre when the network spans an ocean (largest gap in
    longitude over 20 degrees): the side holding most movement destinations."""
    lon = scenario.nodes["lon"].astype(float).sort_values()
    if len(lon) < 4:
        return None
    gaps = lon.diff().iloc[1:]
    if gaps.max() < 20.0:
        return None
    cut = lon.iloc[int(np.argmax(gaps.to_numpy()))] + gaps.max() / 2
    east = set(lon[lon > cut].index)
    dest = scenario.movements["destination"] if len(scenario.movements) else pd.Series([])
    n_east = int(dest.isin(east).sum())
    side = east if n_east * 2 >= len(dest) else set(lon.index) - east
    return sorted(side)


def _ranges(lons: np.ndarray, lats: np.ndarray, pad: float) -> tuple[list[float],
                                                                      list[float]]:
    lo0, lo1 = float(lons.min()), float(lons.max())
    la0, la1 = float(lats.min()), float(lats.max())
    dlon, dlat = max(lo1 - lo0, 2.0), max(la1 - la0, 2.0)
    return ([lo0 - pad * dlon, lo1 + pad * dlon],
            [max(la0 - pad * dlat, -80.0), min(la1 + pad * dlat, 80.0)])


def _great_circle_points(links: pd.DataFrame, xy: dict[str, tuple[float, float]],
                         n: int = 9) -> tuple[np.ndarray, np.ndarray]:
    """Points along each link as plotly draws it (a great circle), so the map's box
    holds the arcs of ocean crossings, which bow far north of their ends."""
    if not len(links):
        return np.zeros(0), np.zeros(0)
    a = np.radians([xy[s] for s in links["from"]])
    b = np.radians([xy[s] for s in links["to"]])

    def unit(p: np.ndarray) -> np.ndarray:
        return np.stack([np.cos(p[:, 1]) * np.cos(p[:, 0]), np.cos(p[:, 1]) * np.sin(p[:, 0]),
                         np.sin(p[:, 1])], axis=1)

    u, v = unit(a), unit(b)
    omega = np.arccos(np.clip((u * v).sum(axis=1), -1.0, 1.0))[:, None]
    s = np.where(omega > 1e-9, np.sin(omega), 1.0)
    f = np.linspace(0.0, 1.0, n)[None, :]
    w1 = np.where(omega > 1e-9, np.sin((1 - f) * omega) / s, 1 - f)
    w2 = np.where(omega > 1e-9, np.sin(f * omega) / s, f)
    p = w1[..., None] * u[:, None, :] + w2[..., None] * v[:, None, :]
    lat = np.degrees(np.arcsin(np.clip(p[..., 2] / np.linalg.norm(p, axis=2), -1, 1)))
    lon = np.degrees(np.arctan2(p[..., 1], p[..., 0]))
    return lon.ravel(), lat.ravel()


def _geo_layout(lon_range: list[float], lat_range: list[float]) -> dict[str, object]:
    off = {f"show{layer}": False for layer in
           ("land", "ocean", "lakes", "rivers", "countries", "coastlines", "subunits", "frame")}
    return dict(
        # Mercator maps the lon/lat ranges onto a rectangle exactly, so every node
        # inside the padded box is on the map (conic projections clip the corners).
        projection=dict(type="mercator"),
        lonaxis=dict(range=lon_range, showgrid=False),
        lataxis=dict(range=lat_range, showgrid=False),
        bgcolor="white",
        **off,
    )


def fit_height(lon_range: list[float], lat_range: list[float], width: float = 1300.0) -> int:
    """Figure height (px) at which the Mercator box fills a page-wide plot without
    bands of empty margin, within 380-900 px, plus title and legend."""
    def y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    aspect = (y(lat_range[1]) - y(lat_range[0])) / math.radians(lon_range[1] - lon_range[0])
    return int(min(max(width * aspect, 380.0), 900.0)) + 150


def _outline_trace() -> go.Scattergeo:
    lon: list[float | None] = []
    lat: list[float | None] = []
    for c in load_outlines():
        for ring in c.rings:
            lon.extend(p[0] for p in ring)
            lat.extend(p[1] for p in ring)
            lon.append(None)
            lat.append(None)
    return go.Scattergeo(lon=lon, lat=lat, mode="lines", fill="toself",
                         fillcolor=palette.LAND, line=dict(color=palette.BORDER, width=0.7),
                         hoverinfo="skip", showlegend=False, name="countries")


def _coords(nodes: pd.DataFrame) -> dict[str, tuple[float, float]]:
    return {str(n): (float(lo), float(la)) for n, lo, la in
            zip(nodes.index, nodes["lon"], nodes["lat"], strict=True)}


def _segments(links: pd.DataFrame, xy: dict[str, tuple[float, float]],
              ) -> tuple[list[float | None], list[float | None]]:
    lon: list[float | None] = []
    lat: list[float | None] = []
    for a, b in zip(links["from"], links["to"], strict=True):
        lon += [xy[a][0], xy[b][0], None]
        lat += [xy[a][1], xy[b][1], None]
    return lon, lat


def _labelled(scenario: Scenario, view: pd.DataFrame, bott_nodes: list[str]) -> list[str]:
    """Names worth printing on the map: bottlenecks, then the destinations and origins
    that move the most tonnes, up to MAX_LABELS (the rest are in the hover)."""
    out = list(bott_nodes)
    m = scenario.movements
    if len(m):
        mass = pd.concat([m.groupby("destination")["mass_t"].sum(),
                          m.groupby("origin")["mass_t"].sum()]).groupby(level=0).sum()
        out += [str(n) for n in mass.sort_values(ascending=False, kind="stable").index]
    seen: list[str] = []
    for n in out:
        if n in view.index and n not in seen:
            seen.append(n)
    return seen[:MAX_LABELS]


def _pct(u: float) -> str:
    return "n/a" if not math.isfinite(u) else f"{100 * u:.0f} %"


def network_map(scenario: Scenario, flows: pd.DataFrame | None,
                bottlenecks: list[dict[str, object]], *, title: str,
                node_ids: list[str] | None = None, height: int | None = None) -> go.Figure:
    """One map figure; ``node_ids`` restricts the view (links touching them are drawn)."""
    nodes, links = scenario.nodes, scenario.links
    load = link_loads(scenario, flows, bottlenecks).frame
    ranked = [str(b.get("id")) for b in bottlenecks]
    view = nodes if node_ids is None else nodes.loc[node_ids]
    # A restricted view keeps the links inside it: the ocean crossings are on the
    # whole-network map, and here they would only cross the picture.
    links = links[links["from"].isin(view.index) & links["to"].isin(view.index)]

    xy = _coords(nodes)
    planned = flows is not None and len(flows) > 0
    fig = go.Figure()
    fig.add_trace(_outline_trace())
    tmax = float(load["t"].max()) if len(load) and load["t"].max() > 0 else 1.0

    # Halo under bottleneck (ranked) and busy links, so they read in grey print too.
    bott_links = [lid for lid in ranked if lid in links.index]
    util = load["utilization"].astype(float).to_dict()
    tonnes = load["t"].astype(float).to_dict()
    trips = load["trips"].astype(float).to_dict()
    busy = [lid for lid in links.index if util[lid] >= BUSY and lid not in bott_links]
    busy_name = f"busy link (≥ {BUSY:.0%} of capacity on its peak day)"
    for ids, color, name in ((busy, palette.BLACK, busy_name),
                             (bott_links, palette.BOTTLENECK, "bottleneck link")):
        if ids:
            lon, lat = _segments(links.loc[ids], xy)
            fig.add_trace(go.Scattergeo(lon=lon, lat=lat, mode="lines", name=name,
                                        line=dict(color=color, width=10),
                                        opacity=0.45, hoverinfo="skip"))

    for mode in palette.MODE_COLOR:
        of_mode = links[links["mode"] == mode]
        if not len(of_mode):
            continue
        share = load.loc[of_mode.index, "t"] / tmax
        if not planned:  # no plan: every link drawn alike
            share = share * 0 + 0.01
        unused = share <= 0
        first = True
        for i, w in enumerate(WIDTHS):
            sel = of_mode[~unused & (share > WIDTH_BINS[i]) & (share <= WIDTH_BINS[i + 1])]
            if not len(sel):
                continue
            lon, lat = _segments(sel, xy)
            fig.add_trace(go.Scattergeo(
                lon=lon, lat=lat, mode="lines", name=mode.replace("_", " "),
                legendgroup=mode, showlegend=first, hoverinfo="skip",
                line=dict(color=palette.MODE_COLOR[mode], width=w,
                          dash=palette.MODE_DASH[mode])))
            first = False
        if unused.any():
            lon, lat = _segments(of_mode[unused], xy)
            fig.add_trace(go.Scattergeo(
                lon=lon, lat=lat, mode="lines", name=f"{mode.replace('_', ' ')} (unused)",
                legendgroup=mode, showlegend=first, hoverinfo="skip", opacity=0.45,
                line=dict(color=palette.MODE_COLOR[mode], width=1.0,
                          dash=palette.MODE_DASH[mode])))

    # Invisible midpoints carry each link's hover text.
    if len(links):
        ends = list(zip(links["from"], links["to"], strict=True))
        mid_lon = [(xy[a][0] + xy[b][0]) / 2 for a, b in ends]
        mid_lat = [(xy[a][1] + xy[b][1]) / 2 for a, b in ends]
        text = [
            f"<b>{lid}</b> ({mode}) {a} → {b}<br>{km:,.0f} km · {tonnes[lid]:,.0f} t · "
            f"{trips[lid]:,.0f} trips · utilisation {_pct(util[lid])}"
            for lid, mode, (a, b), km in zip(links.index, links["mode"], ends,
                                              links["distance_km"].astype(float), strict=True)
        ]
        fig.add_trace(go.Scattergeo(lon=mid_lon, lat=mid_lat, mode="markers", text=text,
                                    hoverinfo="text", marker=dict(size=9, opacity=0),
                                    showlegend=False, name="links"))

    bott_nodes = [nid for nid in ranked if nid in view.index]
    labelled = view.index.isin(_labelled(scenario, view, bott_nodes))
    symbols = [NODE_SYMBOL.get(k, "circle") for k in view["kind"]]
    fig.add_trace(go.Scattergeo(
        lon=view["lon"], lat=view["lat"], mode="markers", name="node",
        marker=dict(size=7, color="#333333", symbol=symbols, line=dict(color="white", width=1)),
        text=[f"<b>{nid}</b> {r['name']}<br>{r['kind'].replace('_', ' ')}, {r['country']}"
              for nid, r in view.iterrows()],
        hoverinfo="text", showlegend=False))
    # Legend entries only: one per node kind on the map, with its symbol.
    for kind in sorted(set(view["kind"])):
        fig.add_trace(go.Scattergeo(
            lon=[None], lat=[None], mode="markers", name=str(kind).replace("_", " "),
            hoverinfo="skip",
            marker=dict(size=7, color="#333333", symbol=NODE_SYMBOL.get(kind, "circle"))))
    if labelled.any():
        lab = view[labelled]
        fig.add_trace(go.Scattergeo(
            lon=lab["lon"], lat=lab["lat"], mode="text", text=list(lab.index),
            textposition="top center", textfont=dict(size=10, color="#222222"),
            hoverinfo="skip", showlegend=False))
    if bott_nodes:
        b = view.loc[bott_nodes]
        fig.add_trace(go.Scattergeo(
            lon=b["lon"], lat=b["lat"], mode="markers", name="bottleneck node",
            marker=dict(size=18, color="rgba(0,0,0,0)", symbol="circle",
                        line=dict(color=palette.BOTTLENECK, width=3)),
            text=[f"bottleneck #{ranked.index(n) + 1}: {n}" for n in bott_nodes],
            hoverinfo="text"))

    arc_lon, arc_lat = _great_circle_points(links, xy)
    lon_range, lat_range = _ranges(np.r_[view["lon"].to_numpy(float), arc_lon],
                                   np.r_[view["lat"].to_numpy(float), arc_lat], 0.04)
    fig.update_layout(
        title=dict(text=title),
        geo=_geo_layout(lon_range, lat_range),
        height=height if height is not None else fit_height(lon_range, lat_range),
        margin=dict(l=10, r=10, t=50, b=40),
        legend=dict(orientation="h", yanchor="top", y=-0.01, x=0),
        annotations=[dict(text=("Line width ∝ tonnes planned over the link. " if planned
                                else "") + attribution(),
                          showarrow=False, xref="paper", yref="paper", x=1, y=1.0,
                          xanchor="right", yanchor="bottom", font=dict(size=9, color="#555"))],
    )
    return fig
