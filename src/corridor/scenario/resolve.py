"""Cross-table checks and derived values: references, catalogs, templates, defaults."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np
import pandas as pd

from corridor.scenario.errors import Issue
from corridor.scenario.model import Scenario
from corridor.scenario.parse import MAX_COUNT, ROW, closest_hint
from corridor.scenario.schema import CIRCUITY, MODE_SPEED_KMH, MODES, NODE_KINDS, TABLES

EARTH_RADIUS_KM = 6371.0088
# NATO / US supply classes I-X, with an optional sub-class letter (III(B) bulk fuel)
SUPPLY_CLASSES = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
_SUPPLY_CLASS = re.compile(r"(I|II|III|IV|V|VI|VII|VIII|IX|X)(?:[ -]?[A-Z]|\([A-Z]\))?")
CARRIER_FILL = (
    "mode",
    "capacity_t",
    "capacity_m2",
    "capacity_pax",
    "capacity_litters",
    "max_item_mlc",
    "speed_kmh",
    "load_h",
    "unload_h",
    "cost_per_km",
)
MEDICAL_KEYS = {
    "casualties",
    "precedence",
    "limits_h",
    "surgery_within_h",
    "length_of_stay_days",
    "died_of_wounds",
    "dnbi_per_1000_per_day",
}


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance (vectorised)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


class _Reporter:
    """Builds issues that name the right file, row and column for each table."""

    def __init__(self, labels: dict[str, str], inline: dict[str, bool], issues: list[Issue],
                 yaml_label: str) -> None:
        self.labels, self.inline, self.issues, self.yaml = labels, inline, issues, yaml_label
        # cells already reported (by the parser, or here): one message per cell
        self.cells: set[tuple[str, int | None, str | None, str | None]] = {
            (i.file, i.row, i.column, i.table) for i in issues
            if i.row is not None and i.column is not None}

    def __call__(self, table: str, row: Any, column: str | None, message: str) -> None:
        label = self.labels.get(table, TABLES[table].file if table in TABLES else table)
        inl = self.inline.get(table, False)
        r = int(row) if row is not None and not pd.isna(row) else None
        issue = Issue(label, message, row=r, column=column, table=table if inl else None)
        cell = (issue.file, r, column, issue.table)
        # a cell the parser refused is left empty; a cross-field check that then finds it
        # "missing" would only contradict the parser's own message
        if r is not None and column is not None:
            if cell in self.cells:
                return
            self.cells.add(cell)
        self.issues.append(issue)

    def meta(self, column: str, message: str) -> None:
        self.issues.append(Issue(self.yaml, message, column=column))


def _index(frame: pd.DataFrame, table: str, key: str, say: _Reporter) -> pd.DataFrame:
    """Index by ``key``; duplicate ids are reported (first one kept).

    Rows without an id were reported by the parser already; they are dropped so
    the index stays unique for the cross-table checks.
    """
    empty = (frame[key] == "").to_numpy()
    if empty.any():
        frame = frame[~empty]
    dup = frame[key].duplicated(keep="first").to_numpy()
    if dup.any():
        word = "record" if say.inline.get(table, False) else "row"
        first = dict(zip(frame[key][::-1], frame[ROW][::-1], strict=True))
        for k, row in zip(frame[key][dup], frame[ROW][dup], strict=True):
            say(table, row, key, f"duplicate id '{k}' (first at {word} {first[k]})")
        frame = frame[~dup]
    out = frame.set_index(key, drop=False)
    out.index.name = None
    return out


def resolve(
    meta: dict[str, Any],
    frames: dict[str, pd.DataFrame],
    cat_equipment: pd.DataFrame,
    cat_carriers: pd.DataFrame,
    cat_units: pd.DataFrame,
    issues: list[Issue],
    *,
    labels: dict[str, str],
    inline: dict[str, bool],
    yaml_label: str,
    source: Path | None,
    files: dict[str, str],
) -> Scenario | None:
    say = _Reporter(labels, inline, issues, yaml_label)
    nodes = _index(frames["nodes"], "nodes", "id", say)
    names = nodes["name"].where(nodes["name"] != "", nodes["id"])
    nodes = nodes.assign(name=names)
    node_ids = set(nodes.index)

    def check_node(table: str, frame: pd.DataFrame, col: str, optional: bool = False) -> None:
        for row, v in zip(frame[ROW], frame[col], strict=True):
            if v == "" and optional:
                continue
            if v != "" and v not in node_ids:
                say(table, row, col, f"unknown node '{v}'{_hint(v, node_ids)}")

    links = _resolve_links(frames["links"], nodes, say, check_node)
    equipment = _merge_catalog(cat_equipment, frames["equipment"], "equipment", say)
    equipment = equipment.assign(name=equipment["name"].where(equipment["name"] != "",
                                                                equipment["id"]))
    eq_ids = set(equipment.index)
    units = _merge_catalog(cat_units, frames["units"], "units", say)
    own_units = units[units[ROW] > 0]
    for row, items in zip(own_units[ROW], own_units["equipment"], strict=True):
        for t in items or {}:
            if t not in eq_ids:
                say("units", row, "equipment", f"unknown equipment type '{t}'"
                    f"{_hint(t, eq_ids)}")
    carriers = _resolve_carriers(frames["carriers"], cat_carriers, nodes, say, check_node)
    movements = _resolve_movements(frames["movements"], units, equipment, say, check_node,
                                   node_ids)
    supply = frames["supply"].copy()
    check_node("supply", supply, "node")
    check_node("supply", supply, "source", optional=True)
    _check_supply_sources(supply, nodes, say)
    _check_supply_classes(supply, say)
    horizon = float(meta["horizon_days"])
    open_end = ~np.isfinite(supply["end_day"])
    supply["end_day"] = supply["end_day"].where(~open_end, horizon)
    for k, r in supply[supply["end_day"] < supply["start_day"]].iterrows():
        if open_end[k]:  # the user gave no end_day: the start is what is wrong
            say("supply", r[ROW], "start_day", f"start_day {r['start_day']:g} is after the "
                f"horizon ({horizon:g} days)")
        else:
            say("supply", r[ROW], "end_day", f"end_day {r['end_day']:g} is before start_day "
                f"{r['start_day']:g}")
    disruptions = _resolve_disruptions(frames["disruptions"], nodes, links, say)
    medical = meta.get("medical")
    if medical is not None:
        _check_medical(medical, node_ids, say, horizon)
    has_work = (
        len(movements) > 0
        or (nodes["population"] > 0).any()
        or (medical is not None and bool(medical.get("casualties")))
        or len(supply) > 0
    )
    if not has_work and not issues:
        say.meta("movements", "scenario gives no work: add movements, a population to "
                 "evacuate, or a medical block")
    if issues:
        return None
    return Scenario(
        name=meta["name"],
        description=meta["description"],
        start_date=meta["start_date"],
        horizon_days=horizon,
        seed=meta["seed"],
        nodes=nodes,
        links=links,
        equipment=equipment,
        carriers=carriers,
        units=units,
        movements=movements,
        supply=supply,
        disruptions=disruptions,
        planner=meta["planner"],
        simulation=meta["simulation"],
        medical=medical,
        evacuation=meta["evacuation"],
        source=source,
        files=files,
    )


def _hint(word: str, options: set[str]) -> str:
    import difflib

    if len(options) > 5000:
        return ""
    m = difflib.get_close_matches(word, list(options), n=1, cutoff=0.75)
    return f" (did you mean '{m[0]}'?)" if m else ""


def _resolve_links(frame: pd.DataFrame, nodes: pd.DataFrame, say: _Reporter,
                   check_node: Callable[..., None]) -> pd.DataFrame:
    links = _index(frame, "links", "id", say)
    check_node("links", links, "from")
    check_node("links", links, "to")
    for _, r in links[(links["from"] == links["to"]) & (links["from"] != "")].iterrows():
        say("links", r[ROW], "to", f"link starts and ends at the same node '{r['to']}'")
    known = links["from"].isin(nodes.index) & links["to"].isin(nodes.index)
    dist = links["distance_km"].to_numpy(dtype=float).copy()
    missing = np.isnan(dist) & known.to_numpy()
    if missing.any():
        a = nodes.loc[links.loc[missing, "from"]]
        b = nodes.loc[links.loc[missing, "to"]]
        gc = haversine_km(a["lat"].to_numpy(), a["lon"].to_numpy(), b["lat"].to_numpy(),
                          b["lon"].to_numpy())
        circ = links.loc[missing, "mode"].map(CIRCUITY).fillna(1.0).to_numpy()
        dist[missing] = gc * circ
    for _, r in links[np.isinf(dist)].iterrows():
        say("links", r[ROW], "distance_km", "distance must be finite")
    return links.assign(distance_km=dist)


def _merge_catalog(cat: pd.DataFrame, own: pd.DataFrame, table: str,
                   say: _Reporter) -> pd.DataFrame:
    """Built-in rows, overridden and extended by the scenario's own rows."""
    own = _index(own, table, "id", say)
    own = own.assign(**{ROW: own[ROW]})
    cat = cat.assign(**{ROW: -1})  # -1 = built-in
    merged = pd.concat([cat[~cat.index.isin(own.index)], own])
    return merged


def _resolve_carriers(frame: pd.DataFrame, types: pd.DataFrame, nodes: pd.DataFrame,
                      say: _Reporter, check_node: Callable[..., None]) -> pd.DataFrame:
    c = _index(frame, "carriers", "id", say)
    check_node("carriers", c, "home")
    c = c.copy()
    t = c["type"].astype(str)
    unknown = (t != "") & ~t.isin(types.index)
    for row, name in zip(c.loc[unknown, ROW], t[unknown], strict=True):
        say("carriers", row, "type", f"unknown carrier type '{name}'"
            f"{_hint(name, set(types.index))}; built-in: {', '.join(types.index)}")
    # every figure left empty comes from the type (plain Python: a handful of fleets)
    known = {name: types.loc[name].to_dict() for name in set(t) if name in types.index}
    of_type = [known.get(name) for name in t]
    filled: dict[str, Any] = {}
    for col in CARRIER_FILL:
        own = c[col].tolist()
        if col == "mode":
            filled[col] = [v if v != "" or r is None else r[col] for v, r in
                           zip(own, of_type, strict=True)]
        else:
            filled[col] = [float(r[col]) if r is not None and math.isnan(v) else float(v)
                           for v, r in zip(own, of_type, strict=True)]
    c = c.assign(**filled)
    c["mode"] = c["mode"].astype(str)
    # a mode outside MODES was reported by the parser; an unknown type just above
    for row in c.loc[(c["mode"] == "") & (t == ""), ROW]:
        say("carriers", row, "mode", "mode is missing (give mode or a built-in type)")
    defaults = {"capacity_t": 0.0, "capacity_m2": 0.0, "capacity_pax": 0.0,
                "capacity_litters": 0.0, "max_item_mlc": math.inf, "load_h": 0.0,
                "unload_h": 0.0, "cost_per_km": 0.0}
    for col, d in defaults.items():
        c[col] = c[col].fillna(d).astype(float)
    c["speed_kmh"] = c["speed_kmh"].fillna(c["mode"].map(MODE_SPEED_KMH)).fillna(50.0)
    caps = c[["capacity_t", "capacity_m2", "capacity_pax", "capacity_litters"]]
    empty = c["mode"].isin(MODES) & (caps <= 0).all(axis=1)
    for cid, row in zip(c.index[empty], c.loc[empty, ROW], strict=True):
        say("carriers", row, "capacity_t", f"carrier '{cid}' has no capacity "
            "(capacity_t, capacity_m2, capacity_pax and capacity_litters are all 0)")
    part = (c["capacity_litters"] > 0) & (c["capacity_litters"] < 1)
    for cid, row, v in zip(c.index[part], c.loc[part, ROW], c.loc[part, "capacity_litters"],
                           strict=True):
        say("carriers", row, "capacity_litters", f"carrier '{cid}' has capacity_litters "
            f"{v:g}: a stretcher patient takes a whole litter (give 0 or at least 1)")
    speed = c["speed_kmh"].to_numpy(dtype=float)
    for row in c.loc[~(np.isfinite(speed) & (speed > 0)), ROW]:
        say("carriers", row, "speed_kmh", "speed must be a finite number > 0")
    home_gauge = c["home"].map(nodes["rail_gauge_mm"])
    gauge = c["rail_gauge_mm"].where(c["rail_gauge_mm"].notna(), home_gauge).fillna(1435)
    c["rail_gauge_mm"] = gauge.astype(np.int64)
    c["count"] = c["count"].fillna(0).astype(np.int64)
    return c


def _resolve_movements(frame: pd.DataFrame, units: pd.DataFrame, equipment: pd.DataFrame,
                       say: _Reporter, check_node: Callable[..., None],
                       node_ids: set[str]) -> pd.DataFrame:
    m = _index(frame, "movements", "id", say)
    check_node("movements", m, "origin")
    check_node("movements", m, "destination")
    m = m.copy()
    pax: list[int] = []
    eqs: list[dict[str, int]] = []
    sup: list[float] = []
    eq_ids = set(equipment.index)
    templates = units.to_dict("index")
    for mid, r in zip(m.index, m.to_dict("records"), strict=True):
        for v in r["via"]:
            if v not in node_ids:
                say("movements", r[ROW], "via", f"unknown node '{v}'{_hint(v, node_ids)}")
        unit = r["unit"]
        tmpl = templates.get(unit) if unit else None
        count = int(r["count"]) if not pd.isna(r["count"]) else 1
        given_pax = not pd.isna(r["pax"])
        given_eq = r["equipment"] is not None
        if tmpl is None and unit and not given_pax and not given_eq and r["supplies_t"] <= 0:
            say("movements", r[ROW], "unit",
                f"unknown unit template '{unit}'{_hint(unit, set(units.index))} and no pax, "
                "equipment or supplies_t given")
        tmpl_pax = tmpl["pax"] if tmpl is not None and not pd.isna(tmpl["pax"]) else 0
        p = int(r["pax"]) if given_pax else int(tmpl_pax) * count
        if given_eq:
            e = dict(r["equipment"])
        elif tmpl is not None:
            e = {k: v * count for k, v in (tmpl["equipment"] or {}).items()}
        else:
            e = {}
        if p > MAX_COUNT or any(v > MAX_COUNT for v in e.values()):
            say("movements", r[ROW], "count", f"template '{unit}' x count {count} is too large")
            p, e = 0, {}
        s = float(r["supplies_t"]) if not pd.isna(r["supplies_t"]) else 0.0
        if s == 0 and tmpl is not None and not pd.isna(tmpl["supplies_t"]):
            s = float(tmpl["supplies_t"]) * count
        # a template's own unknown types were reported at its units.csv row
        for t in e if given_eq else ():
            if t not in eq_ids:
                say("movements", r[ROW], "equipment",
                    f"unknown equipment type '{t}'{_hint(t, eq_ids)}")
        if r["due_day"] < r["ready_day"]:
            say("movements", r[ROW], "due_day",
                f"due_day {r['due_day']:g} is before ready_day {r['ready_day']:g}")
        if r["origin"] and r["origin"] == r["destination"]:
            say("movements", r[ROW], "destination", "destination is the same as origin")
        if p == 0 and not any(e.values()) and s <= 0 and not (tmpl is None and unit):
            if count == 0 and tmpl is not None:
                say("movements", r[ROW], "count", f"movement '{mid}' moves nothing: count "
                    "is 0 (remove the row to cancel the line)")
            else:
                say("movements", r[ROW], "pax", f"movement '{mid}' moves nothing (no pax, "
                    "equipment or supplies_t)")
        pax.append(p)
        eqs.append(e)
        sup.append(s)
    m["pax"] = pd.Series(pax, index=m.index, dtype="int64")
    m["equipment"] = pd.Series(eqs, index=m.index, dtype=object)
    m["supplies_t"] = pd.Series(sup, index=m.index, dtype=float)
    mass_t = equipment["mass_t"].to_dict()
    area_m2 = equipment["footprint_m2"].to_dict()
    mass = []
    area = []
    for e, s in zip(eqs, sup, strict=True):
        mass.append(s + sum(mass_t[t] * n for t, n in e.items() if t in eq_ids))
        area.append(sum(area_m2[t] * n for t, n in e.items() if t in eq_ids))
    m["mass_t"] = pd.Series(mass, index=m.index, dtype=float)
    m["footprint_m2"] = pd.Series(area, index=m.index, dtype=float)
    m["priority"] = m["priority"].fillna(3).astype(int)
    return m


def _check_supply_sources(supply: pd.DataFrame, nodes: pd.DataFrame, say: _Reporter) -> None:
    """A named ``source`` is a depot (spec: "a depot node or empty") other than the node
    it feeds: only depots hold stock (``storage_t``), so any other source leaves the
    engines nothing to draw from."""
    kinds = nodes["kind"].to_dict()
    for row, node, src in zip(supply[ROW], supply["node"], supply["source"], strict=True):
        kind = kinds.get(src)
        # empty = any depot; an unknown node, or one whose kind is missing or not a
        # kind, is reported already
        if not src or kind not in NODE_KINDS:
            continue
        if kind != "depot":
            say("supply", row, "source", f"'{src}' is a {kind} node, not a depot: source "
                "must be a depot node (kind depot), or empty for any depot with stock")
        elif src == node:
            say("supply", row, "source", f"'{src}' is the node the demand is at: source "
                "must be another depot, or empty for any depot with stock")


def _check_supply_classes(supply: pd.DataFrame, say: _Reporter) -> None:
    """``class`` is a supply class (spec: "a NATO supply class (I food/water, III fuel,
    V ammunition, ...)"): a typo would otherwise become a class of its own, drawn from
    stock and reported, unnoticed."""
    for row, cls in zip(supply[ROW], supply["class"], strict=True):
        if not isinstance(cls, str) or not cls or _SUPPLY_CLASS.fullmatch(cls):
            continue  # a missing class is reported already
        say("supply", row, "class", f"'{cls}' is not a supply class: one of "
            f"{', '.join(SUPPLY_CLASSES)}, optionally with a sub-class letter such as "
            f"III(B) or IIIB{closest_hint(cls.upper(), SUPPLY_CLASSES)}")


def _resolve_disruptions(frame: pd.DataFrame, nodes: pd.DataFrame, links: pd.DataFrame,
                         say: _Reporter) -> pd.DataFrame:
    d = _index(frame, "disruptions", "id", say)
    countries = set(nodes["country"])
    kinds = []
    for _, r in d.iterrows():
        t = r["target"]
        kind = ""
        if t.startswith("mode:"):
            kind = "mode"
            if t[5:] not in MODES:
                say("disruptions", r[ROW], "target", f"'{t[5:]}' is not a mode "
                    f"({', '.join(MODES)})")
        elif t.startswith("country:"):
            kind = "country"
            if t[8:] not in countries:
                say("disruptions", r[ROW], "target", f"no node is in country '{t[8:]}'")
        elif t in links.index:
            kind = "link"
        elif t in nodes.index:
            kind = "node"
        elif t:
            say("disruptions", r[ROW], "target", f"'{t}' is not a link id, node id, "
                "mode:<mode> or country:<code>")
        kinds.append(kind)
        has_s, has_e = not pd.isna(r["start_day"]), not pd.isna(r["end_day"])
        has_rate = not pd.isna(r["rate_per_day"])
        if has_s != has_e:
            say("disruptions", r[ROW], "end_day" if has_s else "start_day",
                "a scheduled window needs both start_day and end_day")
        if has_s and has_e and r["end_day"] < r["start_day"]:
            say("disruptions", r[ROW], "end_day", f"end_day {r['end_day']:g} is before "
                f"start_day {r['start_day']:g}")
        if has_rate and pd.isna(r["mean_duration_days"]):
            say("disruptions", r[ROW], "mean_duration_days",
                "a random outage process (rate_per_day) needs mean_duration_days")
        if not has_rate and not pd.isna(r["mean_duration_days"]):
            say("disruptions", r[ROW], "rate_per_day",
                "mean_duration_days is given but rate_per_day is not (a random outage "
                "process needs both)")
        if has_rate and has_s:
            say("disruptions", r[ROW], "rate_per_day",
                "give either a window (start_day, end_day) or a rate, not both")
    d = d.copy()
    d["target_kind"] = kinds
    standing = d["start_day"].isna() & d["rate_per_day"].isna()
    cf = d["capacity_factor"].where(d["capacity_factor"].notna(), np.where(standing, 1.0, 0.0))
    d["capacity_factor"] = cf.astype(float)
    d["kind"] = np.where(standing, "standing", np.where(d["rate_per_day"].notna(), "random",
                                                        "window"))
    return d


def _number_ok(v: Any) -> TypeGuard[int | float]:
    """A finite number >= 0 (YAML ints can be too large for a float)."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return False
    try:
        return v >= 0 and math.isfinite(v)
    except OverflowError:
        return False


CASUALTY_KEYS = ("at", "start_day", "end_day", "wia_per_1000_per_day", "kia_per_1000_per_day",
                 "distribution")
PRECEDENCES = ("urgent", "priority", "routine")
DOW_KEYS = ("model", "midpoint_h", "scale_h", "max_rate")


def _unknown(mapping: dict[Any, Any], known: tuple[str, ...] | set[str], where: str,
             what: str, say: _Reporter) -> None:
    """Every key of ``mapping`` outside ``known`` (and not an ``x_`` note) is an error:
    a typo must not silently become a default."""
    for k in mapping:
        if k not in known and not str(k).startswith("x_"):
            say.meta(f"{where}.{k}", f"unknown {what} '{k}'{_hint(str(k), set(known))} "
                     f"(known: {', '.join(sorted(known))})")


def _check_medical(med: dict[str, Any], node_ids: set[str], say: _Reporter,
                   horizon: float | None = None) -> None:
    _unknown(med, MEDICAL_KEYS, "medical", "medical key", say)
    cas = med.get("casualties") or []
    if not isinstance(cas, list):
        say.meta("medical.casualties", "must be a list of {at, start_day, end_day, ...}")
        cas = []
    for i, c in enumerate(cas, start=1):
        col = f"medical.casualties[{i}]"
        if not isinstance(c, dict):
            say.meta(col, "must be a mapping")
            continue
        _unknown(c, CASUALTY_KEYS, col, "casualty key", say)
        where = c.get("at")
        if where is None:
            say.meta(f"{col}.at", "missing: give the front or staging_area node where "
                     "casualties occur")
        elif not isinstance(where, str) or where not in node_ids:
            hint = _hint(where, node_ids) if isinstance(where, str) else ""
            say.meta(f"{col}.at", f"unknown node '{where}'{hint}")
        for key in ("wia_per_1000_per_day", "kia_per_1000_per_day", "start_day", "end_day"):
            v = c.get(key, 0)
            if not _number_ok(v):
                say.meta(f"{col}.{key}", f"'{v}' must be a number >= 0")
        start, end = c.get("start_day"), c.get("end_day")
        if _number_ok(start) and _number_ok(end) and end < start:
            say.meta(f"{col}.end_day", f"end_day {end:g} is before start_day {start:g}")
        if horizon is not None and _number_ok(start) and start >= horizon:
            say.meta(f"{col}.start_day", f"start_day {start:g} is not before the horizon "
                     f"({horizon:g} days): no casualty could be generated")
        dist = c.get("distribution", "exponential")
        if dist not in ("exponential", "lognormal", "poisson", "constant"):
            say.meta(f"{col}.distribution", f"'{dist}' is not exponential, lognormal, "
                     "poisson or constant")
    prec = med.get("precedence")
    if prec is not None:
        if not isinstance(prec, dict) or not all(_number_ok(v) for v in prec.values()):
            say.meta("medical.precedence", "must map urgent/priority/routine to shares >= 0")
        elif any(k not in PRECEDENCES and not str(k).startswith("x_") for k in prec):
            _unknown(prec, PRECEDENCES, "medical.precedence", "precedence", say)
        elif abs(math.fsum(float(v) for v in prec.values()) - 1.0) > 1e-6:
            say.meta("medical.precedence",
                     f"shares sum to {math.fsum(float(v) for v in prec.values()):g}, not 1 "
                     "(a precedence left out has share 0)")
    for key, known in (("limits_h", PRECEDENCES),
                       ("length_of_stay_days", ("role1", "role2", "role3", "role4"))):
        v = med.get(key)
        if v is None:
            continue
        if not isinstance(v, dict) or not all(_number_ok(x) for x in v.values()):
            say.meta(f"medical.{key}", f"must map {'/'.join(known)} to numbers >= 0")
        else:
            _unknown(v, known, f"medical.{key}", "key", say)
    for key in ("surgery_within_h", "dnbi_per_1000_per_day"):
        if key in med and not _number_ok(med[key]):
            say.meta(f"medical.{key}", f"'{med[key]}' must be a number >= 0")
    dow = med.get("died_of_wounds")
    if dow is not None:
        if not isinstance(dow, dict):
            say.meta("medical.died_of_wounds", "must be a mapping {model: logistic, "
                     "midpoint_h, scale_h, max_rate}")
            return
        _unknown(dow, DOW_KEYS, "medical.died_of_wounds", "died_of_wounds key", say)
        if dow.get("model", "logistic") != "logistic":
            say.meta("medical.died_of_wounds.model", f"'{dow['model']}' is not a known "
                     "model (only logistic)")
        for key in ("midpoint_h", "scale_h"):
            if key in dow and not _number_ok(dow[key]):
                say.meta(f"medical.died_of_wounds.{key}", f"'{dow[key]}' must be a number "
                         ">= 0")
        top = dow.get("max_rate")
        if top is not None and not (_number_ok(top) and top <= 1):
            say.meta("medical.died_of_wounds.max_rate", f"'{top}' must be a probability "
                     "between 0 and 1")
