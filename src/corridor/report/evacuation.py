"""The civil evacuation section: what a civil-defence planner reads first.

Clearance time (the last person in a shelter) against the target and the horizon,
people sheltered out of everybody, how full each shelter is and when it filled, when
each origin is cleared, and who is left behind and why, from an evacuation result
folder (``summary.json``, ``routes.parquet``, ``utilisation.parquet``; the tables are
optional, the summary's figures are always shown).
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corridor.evacuate.result import horizon_note, hours, short_hours
from corridor.report import figures as F
from corridor.report.inputs import Inputs, Result
from corridor.report.tables import Table
from corridor.report.template import Section, card
from corridor.scenario import Scenario

if TYPE_CHECKING:  # build imports this module
    from corridor.report.build import Report

LEAD = ("How fast the population reaches shelters: clearance time (the last person in a "
        "shelter) against the target and the horizon, people sheltered, how full each "
        "shelter is, when each origin is cleared, and who is left behind and why.")
EPS = 1e-9


def _num(v: Any) -> float | None:
    """A finite number from the summary, else None (missing, null or not a number)."""
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        return None
    return float(v)


def has_evacuation(inputs: Inputs, scenario: Scenario | None) -> bool:
    """An evacuation result of the report's scenario, or a scenario with people to move
    and shelters to move them to (what ``corridor evacuate`` needs)."""
    if inputs.of_kind("evacuation"):
        return True
    nodes = scenario.nodes if scenario is not None else None
    if nodes is None or "population" not in nodes:
        return False
    room = nodes["shelter_capacity"].fillna(0) if "shelter_capacity" in nodes else 0
    shelters = bool(((nodes["kind"] == "shelter") | (room > 0)).any())
    return shelters and float(nodes["population"].fillna(0).sum()) > 0


def target_of(summary: dict[str, Any]) -> float | None:
    options = summary.get("options")
    return _num(options.get("target_h")) if isinstance(options, dict) else None


def summary_cards(inputs: Inputs) -> list[str]:
    """Clearance and people sheltered of the first evacuation, for the Summary section."""
    found = inputs.of_kind("evacuation")
    if not found:
        return []
    info = found[0].summary
    egress, target = _num(info.get("egress_h")), target_of(info)
    late = egress is None or (target is not None and egress > target + EPS)
    arrived, evacuees = int(info.get("arrived") or 0), int(info.get("evacuees") or 0)
    what = "evacuation clearance (last person in a shelter)"
    if egress is None and arrived == 0:
        what = "evacuation clearance: nobody reaches a shelter"
    return [card(hours(egress), what, bad=late),
            card(f"{arrived:,} of {evacuees:,}", "people in shelters", bad=arrived < evacuees)]


def evacuation_section(rep: Report, inputs: Inputs, scenario: Scenario | None) -> None:
    s = Section("evacuation", "Civil evacuation", LEAD)
    results = inputs.of_kind("evacuation")
    if not results:
        s.empty("The scenario has people to evacuate but these results hold no evacuation: "
                "run corridor evacuate (or corridor run) and give its folder to the report.")
    names = _names(scenario)
    for i, r in enumerate(results):
        prefix = "evacuation" if i == 0 else f"evacuation-{i + 1}"
        if len(results) > 1:
            s.add(f"<h3>{html.escape(rep.where(r.folder))}</h3>")
        _one(rep, s, r, prefix, names)
    rep.sections.append(s)


def _names(scenario: Scenario | None) -> dict[str, str]:
    """Node display names where the scenario gives one other than the id."""
    if scenario is None or "name" not in scenario.nodes:
        return {}
    return {str(k): str(v) for k, v in scenario.nodes["name"].items() if str(v) != str(k)}


def _one(rep: Report, s: Section, r: Result, prefix: str, names: dict[str, str]) -> None:
    info = r.summary
    label = "" if prefix == "evacuation" else f"{r.label}: "
    s.add(f"<div class='cards'>{''.join(_cards(info))}</div>")
    note = _method_note(info)
    if note:
        s.add(f"<p class='note'>{html.escape(note)}</p>")
    routes = r.table("routes")
    if routes is not None and {"arrival_h", "size"} <= set(routes.columns) and len(routes):
        rep.figure(s, f"{prefix}-curve", F.evacuation_curve(
            routes, int(info.get("evacuees") or 0), target_h=target_of(info),
            horizon_h=_num(info.get("horizon_h")), clearance_h=_num(info.get("egress_h"))))
    step_h = _step_h(info)
    shelters = shelter_table(info, routes, r.table("utilisation"), names)
    if len(shelters):
        rep.table(s, Table(f"{prefix}-shelters", f"{label}Shelters: people and fill", shelters,
                           {"fill": "%", "full_at": "h", "last_arrival": "h"},
                           note="Fill: people sheltered against the shelter's capacity; "
                                "full at: when the last place was taken."))
    origins = origin_table(info, routes, step_h, names)
    if len(origins):
        rep.table(s, Table(f"{prefix}-origins", f"{label}Origins: when each is cleared",
                           origins, {"cleared": "h", "all_sheltered": "h", "mean": "h"},
                           note="Cleared: the end of the step in which its last people "
                                "leave (– when some never do); all sheltered: when its "
                                "last person reaches a shelter. Slowest first."))
    unmet = [u for u in info.get("unmet") or [] if isinstance(u, dict)]
    if unmet:
        frame = pd.DataFrame([{"node": u.get("node", ""), "people": u.get("people"),
                               "reason": u.get("reason", "")} for u in unmet])
        _name_column(frame, "node", names)
        rep.table(s, Table(f"{prefix}-unmet", f"{label}People left behind, and why", frame))
    elif info.get("stranded") == 0:
        s.add("<p>Nobody is left behind: everybody reaches a shelter within the horizon.</p>")


def _cards(info: dict[str, Any]) -> list[str]:
    egress, target = _num(info.get("egress_h")), target_of(info)
    horizon, last = _num(info.get("horizon_h")), _num(info.get("last_arrival_h"))
    arrived, evacuees = int(info.get("arrived") or 0), int(info.get("evacuees") or 0)
    stranded = int(info.get("stranded") or max(evacuees - arrived, 0))
    mean = _num(info.get("mean_evacuation_h"))
    if arrived == 0:  # nobody arrives: no arrival time (older results said 0 h)
        last = mean = None
    out = []
    if egress is not None:
        out.append(card(hours(egress), "clearance: the last person in a shelter",
                        bad=target is not None and egress > target + EPS))
    elif last is None:
        out.append(card("not cleared", f"clearance: nobody reaches a shelter ({stranded:,} "
                        "left behind)", bad=True))
    else:
        out.append(card("not cleared", f"clearance: {stranded:,} never reach a shelter (the "
                        f"last who do arrive at {hours(last)})", bad=True))
    if target is not None:
        met = egress is not None and egress <= target + EPS
        gap = "" if egress is None else f" by {abs(egress - target):.2f} h"
        out.append(card(("met" if met else "missed") + gap,
                        f"target: cleared by {target:g} h (evacuation.target_h)", bad=not met))
    if horizon is not None:
        notes = [n for n in (_horizon_note(info, horizon), "" if target is not None
                             else "no target set: evacuation.target_h") if n]
        out.append(card(short_hours(horizon), "horizon: nobody arrives later"
                        + (f" ({'; '.join(notes)})" if notes else "")))
    sip = int(info.get("sheltered_in_place") or 0)
    out.append(card(f"{arrived:,} of {evacuees:,}", "people in shelters"
                    + (f", {sip:,} of them sheltered in place" if sip else ""),
                    bad=arrived < evacuees))
    out.append(card(f"{stranded:,}", "people left behind", bad=stranded > 0))
    if mean is not None:
        out.append(card(f"{mean:.2f} h", "mean time to a shelter"))
    out.append(card(f"{info.get('method', '?')}, {info.get('status', '?')}", "method, status"))
    return out


def _horizon_note(info: dict[str, Any], horizon: float) -> str:
    """Where whole steps cut the scenario's horizon short (``horizon_note``)."""
    return horizon_note(horizon, _num(info.get("scenario_horizon_h")), _step_h(info))


def _method_note(info: dict[str, Any]) -> str:
    """Which method and why, and how far a heuristic plan may be from the best."""
    parts = []
    choice = info.get("method_choice")
    if isinstance(choice, dict) and choice.get("requested") == "auto" and choice.get("reason"):
        parts.append(f"Method chosen automatically: {choice['reason']}.")
    egress, bound = _num(info.get("egress_h")), _num(info.get("lower_bound_h"))
    if egress is not None and bound is not None and egress > bound + EPS:
        parts.append(f"No plan clears before {bound:.2f} h (proven lower bound): this plan is "
                     f"at most {egress - bound:.2f} h slower than the best.")
    return " ".join(parts)


def _step_h(info: dict[str, Any]) -> float:
    options = info.get("options")
    step = _num(options.get("step_min")) if isinstance(options, dict) else None
    return step / 60.0 if step is not None else 0.0


def _name_column(frame: pd.DataFrame, col: str, names: dict[str, str]) -> None:
    """Insert the display names beside ``col`` when the scenario gives any."""
    if names and frame[col].isin(list(names)).any():
        frame.insert(1, "name", frame[col].map(lambda v: names.get(str(v), "")))


def shelter_table(info: dict[str, Any], routes: pd.DataFrame | None,
                  utilisation: pd.DataFrame | None, names: dict[str, str]) -> pd.DataFrame:
    """Per shelter: people, capacity (inf: unlimited), fill %, when full, last arrival."""
    rows = [x for x in info.get("shelters") or [] if isinstance(x, dict)]
    frame = pd.DataFrame({
        "shelter": [str(x.get("id", "")) for x in rows],
        "people": [int(x.get("arrived") or 0) for x in rows],
        "capacity": [math.inf if x.get("capacity") is None else float(x["capacity"])
                     for x in rows],
    })
    if not len(frame):
        return frame
    cap = frame["capacity"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["fill"] = np.where(np.isfinite(cap) & (cap > 0),
                                 100 * frame["people"] / np.where(cap > 0, cap, 1), np.nan)
    frame["full_at"] = frame["shelter"].map(_full_at(utilisation))
    if routes is not None and {"shelter", "arrival_h"} <= set(routes.columns):
        frame["last_arrival"] = frame["shelter"].map(routes.groupby("shelter")["arrival_h"].max())
    _name_column(frame, "shelter", names)
    return frame


def _full_at(utilisation: pd.DataFrame | None) -> dict[str, float]:
    """When each shelter took its last place (shelter rows: people sheltered by time_h)."""
    need = {"element", "id", "time_h", "load", "capacity"}
    if utilisation is None or not need <= set(utilisation.columns):
        return {}
    u = utilisation[utilisation["element"] == "shelter"]
    u = u[u["capacity"].notna() & (u["load"] >= u["capacity"] - EPS)]
    return {str(k): float(v) for k, v in u.groupby("id")["time_h"].min().items()}


def origin_table(info: dict[str, Any], routes: pd.DataFrame | None, step_h: float,
                 names: dict[str, str]) -> pd.DataFrame:
    """Per origin: population, sheltered, left behind, cleared, all sheltered, mean."""
    rows = [x for x in info.get("origins") or [] if isinstance(x, dict)]
    frame = pd.DataFrame({
        "origin": [str(x.get("id", "")) for x in rows],
        "population": [int(x.get("population") or 0) for x in rows],
        "sheltered": [int(x.get("arrived") or 0) for x in rows],
        "all_sheltered": [_nan(x.get("last_arrival_h")) for x in rows],
        "mean": [_nan(x.get("mean_evacuation_h")) for x in rows],
    })
    if not len(frame):
        return frame
    frame.insert(3, "left_behind", frame["population"] - frame["sheltered"])
    frame.loc[frame["left_behind"] > 0, "all_sheltered"] = np.nan  # never all of them
    if routes is not None and {"origin", "departure_h", "links"} <= set(routes.columns):
        moving = routes[routes["links"].astype(str) != ""]  # not sheltered in place
        cleared = (moving.groupby("origin")["departure_h"].max() + step_h).round(9).to_dict()
        frame.insert(4, "cleared", [
            math.nan if gone > 0 else cleared.get(o, 0.0)  # nobody had to leave: 0
            for o, gone in zip(frame["origin"], frame["left_behind"], strict=True)])
    order = frame.assign(_never=frame["left_behind"] > 0,
                         _last=frame["all_sheltered"].fillna(-1.0))
    order = order.sort_values(["_never", "_last"], ascending=False, kind="stable")
    frame = order.drop(columns=["_never", "_last"]).reset_index(drop=True)
    _name_column(frame, "origin", names)
    return frame


def _nan(v: Any) -> float:
    x = _num(v)
    return math.nan if x is None else x
