"""Assemble the self-contained HTML report from result folders.

``build_report`` reads plan / simulation / other result folders, draws the
figures, renders the tables, writes ``report.html`` with plotly.js inlined
once, every table as CSV in ``<stem>_tables/`` and, when kaleido can render,
every figure as PNG and SVG in ``<stem>_figures/``.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from corridor.report import figures as F
from corridor.report.closure import movement_table
from corridor.report.evacuation import evacuation_section, has_evacuation, summary_cards
from corridor.report.inputs import Inputs, ReportError, Result, load_inputs
from corridor.report.network_map import network_map, split_theatre
from corridor.report.outlines import attribution
from corridor.report.tables import Table, to_html, write_csvs
from corridor.report.template import Section, card, page
from corridor.results.folder import atomic_write_text, only_files, replace_folder
from corridor.scenario import Scenario

PLOTLY_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    "toImageButtonOptions": {"format": "svg"},
}

__all__ = ["ReportError", "build_report"]


@dataclass
class Report:
    """What a report is made of before it is written."""

    title: str
    subtitle: list[str]
    sections: list[Section] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: dict[str, go.Figure] = field(default_factory=dict)
    csv_dir: str = ""
    base: Path | None = None  # the report's folder: result folders are shown relative to it

    def where(self, folder: Path) -> str:
        """A result folder as the reader finds it from the report."""
        import os

        if self.base is None:
            return str(folder)
        rel = os.path.relpath(Path(folder).resolve(), self.base.resolve())
        return "." if rel == "." else rel

    def figure(self, section: Section, key: str, fig: go.Figure) -> None:
        if key in self.figures:
            raise ValueError(f"duplicate figure id {key}")
        self.figures[key] = fig
        section.add(fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"fig-{key}",
                                config=PLOTLY_CONFIG, default_width="100%"))

    def table(self, section: Section, t: Table) -> None:
        if any(x.key == t.key for x in self.tables):
            raise ValueError(f"duplicate table {t.key}")
        self.tables.append(t)
        section.add(to_html(t, self.csv_dir))


# --- helpers -----------------------------------------------------------------


def _num(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return math.nan
    return float(v)


def _mean(block: Any) -> float:
    """``{"mean": x, ...}`` → x; a bare number → itself."""
    return _num(block.get("mean")) if isinstance(block, dict) else _num(block)


def _day(v: float) -> str:
    return "–" if not math.isfinite(v) else f"day {v:.1f}"


def _scenario_for(inputs: Inputs) -> Scenario | None:
    """The scenario the results name (``scenario_source`` or ``scenario``), if it loads."""
    from corridor.scenario import ScenarioError, library, load_scenario

    candidates: list[str | Path] = []
    foreign = {id(r) for r in inputs.foreign}
    for r in (r for r in inputs.results if id(r) not in foreign):
        src = r.summary.get("scenario_source")
        if isinstance(src, str) and src:
            candidates += [src, r.folder / src]
    names = inputs.scenario_names
    candidates += names
    for c in candidates:
        try:
            return load_scenario(c)
        except ScenarioError:
            continue
    # A display name ("Eastern flank reinforcement") matches a built-in by its name.
    for lib in library.names():
        try:
            s = load_scenario(lib)
        except ScenarioError:
            continue
        if s.name in names:
            return s
    return None


def _days_horizon(scenario: Scenario | None, movements: pd.DataFrame,
                  results: list[Result]) -> float:
    hz = scenario.horizon_days if scenario is not None else math.inf
    if not math.isfinite(hz):
        for r in results:
            h = _num(r.summary.get("horizon_days"))
            if math.isfinite(h):
                hz = h
    return F.horizon_of(movements, hz) if len(movements) else (hz if math.isfinite(hz) else 30)


# --- sections ----------------------------------------------------------------


def _summary_section(rep: Report, inputs: Inputs, movements: pd.DataFrame) -> None:
    s = Section("summary", "Summary", "What closes when, and what binds.")
    cards: list[str] = []
    plan, sim = inputs.plan, inputs.simulation
    if plan is not None:
        ps = plan.summary
        status = str(ps.get("status", "?"))
        cards.append(card(status, "plan status", bad=status == "infeasible"))
        cards.append(card(_day(_num(ps.get("closure_day"))), "planned closure (all movements)"))
        if "plan_late_days" in movements:
            # only movements the plan has: one only the simulation or the scenario knows
            # is not late in the plan
            m = movements[movements["in_plan"]] if "in_plan" in movements else movements
            late = int(((m["plan_late_days"].fillna(0) > 1e-9)
                        | m["plan_closure_day"].isna()).sum())
            cards.append(card(f"{late} of {len(m)}", "movements late in the plan",
                              bad=late > 0))
        b = ps.get("bottlenecks") or []
        if b:
            cards.append(card(f"{b[0].get('kind')}: {b[0].get('id')}", "top bottleneck"))
    if sim is not None:
        ss = sim.summary
        c = ss.get("closure_day") or {}
        if isinstance(c, dict) and math.isfinite(_num(c.get("p50"))):
            cards.append(card(_day(_num(c.get("p50"))),
                              f"simulated closure, median (p10 {_day(_num(c.get('p10')))}, "
                              f"p90 {_day(_num(c.get('p90')))})"))
        p_closed = _num(ss.get("p_closed"))
        if math.isfinite(p_closed):
            cards.append(card(f"{100 * p_closed:.0f} %", "runs in which every movement closes "
                              "within the horizon", bad=p_closed < 0.9))
        if "p_on_time" in movements and movements["p_on_time"].notna().any():
            i = int(np.nanargmin(movements["p_on_time"].to_numpy(float)))
            p_min = float(movements["p_on_time"].iloc[i])
            cards.append(card(f"{100 * p_min:.0f} %",
                              f"lowest P(on time): {movements['movement'].iloc[i]}",
                              bad=p_min < 0.8))
        n_runs = _num(ss.get("runs"))
        if math.isfinite(n_runs):
            cards.append(card(f"{int(n_runs):,}", f"Monte Carlo runs (seed {ss.get('seed', '?')})"))
    cards += summary_cards(inputs)
    if cards:
        s.add(f"<div class='cards'>{''.join(cards)}</div>")
    b = plan.summary.get("bottlenecks") if plan is not None else None
    if b:
        items = "".join(f"<li>{html.escape(str(x.get('explanation', '')))}</li>"
                        for x in b[:3] if x.get("explanation"))
        if items:
            s.add(f"<p><b>What binds:</b></p><ul>{items}</ul>")
    if inputs.foreign:
        s.add(_warning(inputs))
    rows = [{"folder": rep.where(r.folder), "kind": r.kind,
             "scenario": r.summary.get("scenario", ""),
             "status": r.summary.get("status", r.summary.get("method", ""))}
            for r in inputs.results]
    rep.table(s, Table("results", "Results in this report", pd.DataFrame(rows)))
    rep.sections.append(s)


def _warning(inputs: Inputs) -> str:
    return (f"<p class='warn'><b>Warning:</b> {html.escape(inputs.mixed_warning())}.</p>")


def _map_section(rep: Report, inputs: Inputs, scenario: Scenario | None) -> None:
    s = Section("map", "Network map",
                "Links coloured and dashed by mode, width by tonnes the plan moves over them; "
                "busy links (≥ 80 % of capacity) and ranked bottlenecks are haloed. "
                "Hover a link's midpoint or a node for figures.")
    if scenario is None:
        s.empty("The scenario was not found, so the network cannot be drawn: "
                "pass --scenario to corridor report.")
        rep.sections.append(s)
        return
    plan = inputs.plan
    flows = plan.table("flows") if plan is not None else None
    bott = list(plan.summary.get("bottlenecks") or []) if plan is not None else []
    theatre = split_theatre(scenario)
    rep.figure(s, "map", network_map(scenario, flows, bott,
                                     title=f"{scenario.name}: the whole network"))
    if theatre is not None:
        rep.figure(s, "map-theatre", network_map(scenario, flows, bott, node_ids=theatre,
                                                 title="Theatre (where the movements end)"))
    rep.sections.append(s)


def _closure_section(rep: Report, inputs: Inputs, movements: pd.DataFrame,
                     horizon: float) -> None:
    s = Section("closure", "Closure against required dates",
                "Share arrived over time: the plan (solid), the simulated median (dashed) "
                "and its p10–p90 Monte Carlo band (shaded), against the due days (dotted).")
    plan, sim = inputs.plan, inputs.simulation
    plan_arr = plan.table("arrivals") if plan is not None else None
    runs = sim.table("runs") if sim is not None else None
    sim_arr = sim.table("arrivals") if sim is not None else None
    if sim_arr is not None and not {"run", "movement", "day", "share"} <= set(sim_arr.columns):
        sim_arr = None
    if runs is not None and not {"run", "movement", "closure_day"} <= set(runs.columns):
        runs = None
    if not len(movements):
        s.empty("No movements in these results.")
    else:
        if plan_arr is not None or runs is not None:
            rep.figure(s, "closure-overall", F.overall_closure(movements, plan_arr, runs,
                                                               horizon))
        rep.figure(s, "closure-movements",
                   F.movement_closure(movements, plan_arr, sim_arr, horizon))
        names = {"movement": "movement", "unit": "unit", "origin": "origin",
                 "destination": "destination", "ready_day": "ready", "due_day": "due",
                 "plan_closure_day": "plan closure", "plan_late_days": "plan late",
                 "sim_closure_p10": "sim p10", "sim_closure_p50": "sim p50",
                 "sim_closure_p90": "sim p90", "p_on_time": "P on time", "pax": "people",
                 "mass_t": "cargo"}
        t = movements[[c for c in names if c in movements]].copy()
        if "p_on_time" in t:
            t["p_on_time"] = 100 * t["p_on_time"]
        t = t.rename(columns=names)
        units = {"ready": "day", "due": "day", "plan closure": "day", "plan late": "days",
                 "sim p10": "day", "sim p50": "day", "sim p90": "day", "P on time": "%",
                 "cargo": "t"}
        rep.table(s, Table("movements", "Movements: requirement and closure", t, units))
    sust = plan.summary.get("sustainment") if plan is not None else None
    if isinstance(sust, list) and sust and all(isinstance(x, dict) for x in sust):
        frame = _scalar_columns(pd.DataFrame(sust))
        if "share_arrived" in frame:
            frame["share_arrived"] = 100 * frame["share_arrived"].astype(float)
        rep.table(s, Table("sustainment", "Sustainment deliveries (plan)", frame,
                           {"due_day": "day", "closure_day": "day", "late_days": "days",
                            "ready_day": "day", "share_arrived": "%"}))
    rep.sections.append(s)


def _gantt_section(rep: Report, movements: pd.DataFrame, horizon: float) -> None:
    s = Section("gantt", "Movement schedule",
                "Each bar runs from the day a movement is ready to the day it closes "
                "(hatched: never closes within the horizon); diamonds are due days, "
                "whiskers the simulated p10–p90 closure.")
    if len(movements):
        rep.figure(s, "gantt", F.gantt(movements, horizon))
    else:
        s.empty("No movements in these results.")
    rep.sections.append(s)


def _scalar_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop nested columns (lists / dicts of detail) that a table cannot show."""
    nested = [c for c in frame.columns
              if frame[c].map(lambda v: isinstance(v, list | dict | tuple)).any()]
    return frame.drop(columns=nested)


def _departures(plan: Result, scenario: Scenario | None) -> pd.DataFrame | None:
    """Loaded departures (fleet, mode, depart_day, trips): the plan's trips table when
    it wrote one (one row per carrier run), else its flows (a row per cargo on a leg,
    so a shared trip can count more than once: an upper bound)."""
    trips = plan.table("trips")
    if trips is not None and {"fleet", "depart_day", "trips"} <= set(trips.columns):
        out = trips[["fleet", "depart_day", "trips"]].copy()
        if "mode" in trips:
            out["mode"] = trips["mode"]
        elif scenario is not None:
            out["mode"] = out["fleet"].map(scenario.carriers["mode"].to_dict())
        else:
            return None
        return out.dropna(subset=["mode"])
    flows = plan.table("flows")
    if flows is None or not {"carrier", "trips", "depart_day", "mode"} <= set(flows.columns):
        return None
    f = flows[flows["carrier"].astype(str) != ""]
    return pd.DataFrame({"fleet": f["carrier"], "mode": f["mode"],
                         "depart_day": f["depart_day"], "trips": f["trips"]})


def _bottleneck_section(rep: Report, inputs: Inputs, scenario: Scenario | None,
                        horizon: float) -> None:
    s = Section("bottlenecks", "What binds",
                "Resources ranked by what one more unit of them is worth (the planner's "
                "shadow price), with the planner's explanation.")
    plan = inputs.plan
    sim_unmet = inputs.simulation.summary.get("unmet") if inputs.simulation else None
    if isinstance(sim_unmet, list) and sim_unmet and all(isinstance(x, dict)
                                                         for x in sim_unmet):
        rep.table(s, Table("unmet-simulation", "Movements the simulator cannot route, and why",
                           _scalar_columns(pd.DataFrame(sim_unmet))))
    if plan is None:
        s.empty("No plan in these results: bottlenecks come from the planner "
                "(corridor plan or corridor run).")
        rep.sections.append(s)
        return
    b = list(plan.summary.get("bottlenecks") or [])
    if b:
        frame = pd.DataFrame([{
            "rank": i + 1, "kind": x.get("kind", ""), "id": x.get("id", ""),
            "resource": x.get("resource", ""), "capacity": x.get("capacity", ""),
            "utilization": 100 * _num(x.get("utilization")),
            "shadow_price": _num(x.get("shadow_price")),
            "verified_days": _num(x.get("verified_days")),
            "explanation": x.get("explanation", "")} for i, x in enumerate(b)])
        frame = frame.loc[:, [c for c in frame.columns
                              if not (frame[c].astype(str).isin(["", "nan"]).all())]]
        rep.table(s, Table("bottlenecks", "Ranked bottlenecks", frame,
                           {"utilization": "%", "verified_days": "days"},
                           note="Shadow price: improvement of the plan's objective per extra "
                                "unit of the resource, as the planner reports it; verified "
                                "days: the change found by re-solving with one more unit."))
        if any(isinstance(x.get("utilization"), int | float) for x in b):
            rep.figure(s, "utilisation", F.bottleneck_bars(b))
    else:
        s.empty("The planner reports no binding resource.")
    unmet = plan.summary.get("unmet") or []
    if unmet:
        rep.table(s, Table("unmet", "Movements that cannot close, and why",
                           _scalar_columns(pd.DataFrame(unmet)), max_rows=25))
    departures = _departures(plan, scenario)
    if departures is not None and len(departures):
        rep.figure(s, "departures", F.carrier_departures(departures, horizon))
    rep.sections.append(s)


def _disruption_section(rep: Report, inputs: Inputs, scenario: Scenario | None,
                        movements: pd.DataFrame, horizon: float) -> None:
    s = Section("disruptions", "Disruptions and their impact",
                "The scenario's disruptions, and how far the simulated closure (with random "
                "outages and losses) drifts from the plan.")
    d = scenario.disruptions if scenario is not None else None
    if d is not None and len(d):
        rep.figure(s, "disruptions", F.disruption_timeline(d, horizon))
        cols = [c for c in ("target", "kind", "start_day", "end_day", "rate_per_day",
                            "mean_duration_days", "capacity_factor", "loss_prob") if c in d]
        rep.table(s, Table("disruptions", "Disruptions in the scenario",
                           d[cols].reset_index(names="id"),
                           {"start_day": "day", "end_day": "day", "rate_per_day": "1/day",
                            "mean_duration_days": "days"}))
    elif scenario is not None:
        s.empty("The scenario has no disruptions.")
    not_planned = inputs.plan.summary.get("not_planned") if inputs.plan else None
    if isinstance(not_planned, list) and not_planned:
        s.add("<p class='note'>Not in the plan (the simulation draws them): "
              f"{html.escape('; '.join(str(x) for x in not_planned))}.</p>")
    sim_d = inputs.simulation.summary.get("disruptions") if inputs.simulation else None
    if isinstance(sim_d, list) and sim_d and all(isinstance(x, dict) for x in sim_d):
        rep.table(s, Table("disruptions-simulated", "Disruptions as simulated (mean per run)",
                           pd.DataFrame(sim_d), {"active_days": "days", "outages": "count"}))
    if "sim_closure_p50" in movements and movements["sim_closure_p50"].notna().any():
        rep.figure(s, "delay", F.delay_dumbbell(movements))
        t = movements[[c for c in ("movement", "due_day", "plan_closure_day", "sim_closure_p50",
                                   "sim_closure_p90", "p_on_time") if c in movements]].copy()
        if "plan_closure_day" in t:
            t["delay_p50_days"] = t["sim_closure_p50"] - t["plan_closure_day"]
            t["delay_p90_days"] = t["sim_closure_p90"] - t["plan_closure_day"]
        if "p_on_time" in t:
            t["p_on_time"] = 100 * t["p_on_time"]
        rep.table(s, Table("disruption-impact", "Delay against the plan per movement", t,
                           {"due_day": "day", "plan_closure_day": "day",
                            "sim_closure_p50": "day", "sim_closure_p90": "day",
                            "delay_p50_days": "days", "delay_p90_days": "days",
                            "p_on_time": "%"}))
    elif inputs.simulation is None:
        s.empty("No simulation in these results: the impact of random disruptions and "
                "losses comes from corridor simulate (or corridor run).")
    rep.sections.append(s)


def _flatten(block: Any, prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if isinstance(block, dict):
        stat_keys = {"mean", "p10", "p50", "p90", "sd", "min", "max"}
        if block and set(block) <= stat_keys:
            return [(prefix, block)]
        for k, v in block.items():
            out += _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(block, list | tuple):
        pass  # lists of records are tables of their own (_list_tables)
    else:
        out.append((prefix, block))
    return out


def _stats_frame(block: dict[str, Any], labels: dict[str, tuple[str, float]]) -> pd.DataFrame:
    """Rows of (measure, unit, mean, p10, p50, p90) from a nested summary block."""
    rows = []
    for key, v in _flatten(block):
        if isinstance(v, bool | str):
            continue  # a flag or a label (medical "modelled": true) is not a statistic
        name, scale = labels.get(key, (key.replace("_", " ").replace(".", ": "), 1.0))
        stats = v if isinstance(v, dict) else {"mean": v}
        row: dict[str, Any] = {"measure": name}
        for q in ("mean", "p10", "p50", "p90"):
            x = _num(stats.get(q))
            row[q] = x * scale if math.isfinite(x) else math.nan
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.dropna(axis=1, how="all")


def _list_tables(rep: Report, s: Section, block: dict[str, Any], key: str,
                 titles: dict[str, str]) -> None:
    """Each non-empty list of records in ``block`` as its own table."""
    for k, v in block.items():
        if isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            frame = pd.DataFrame(v)
            for c in frame.columns:
                if frame[c].map(lambda x: isinstance(x, dict)).any():
                    frame[c] = frame[c].map(lambda x: _mean(x) if isinstance(x, dict) else x)
            rep.table(s, Table(f"{key}-{k}".replace("_", "-"),
                               titles.get(k, f"{key}: {k}".replace("_", " ")), frame))


def _where_lost(events: pd.DataFrame, n_runs: int) -> pd.DataFrame:
    """Loss events (run, link, fleet, t, pax) per link and fleet, as means per run."""
    g = events.groupby(["link", "fleet"])
    frame = pd.DataFrame({"carriers_lost_per_run": g.size() / n_runs,
                          "cargo_lost_t_per_run": g["t"].sum() / n_runs,
                          "pax_lost_per_run": g["pax"].sum() / n_runs}).reset_index()
    return frame.sort_values("cargo_lost_t_per_run", ascending=False, kind="stable")


_LOSS_LABELS = {"carriers": ("carriers lost (count)", 1.0), "cargo_t": ("cargo lost (t)", 1.0),
                "pax": ("people lost (count)", 1.0)}


def _losses_section(rep: Report, inputs: Inputs) -> None:
    s = Section("losses", "Losses",
                "Carriers and cargo lost to standing threats (submarines on the sea lanes, "
                "air threats) over the simulated runs.")
    sim = inputs.simulation
    plan_loss = inputs.plan.summary.get("expected_losses") if inputs.plan else None
    if isinstance(plan_loss, dict) and plan_loss:
        rep.table(s, Table("losses-plan", "Expected losses of the plan",
                           _stats_frame(plan_loss, _LOSS_LABELS)))
    if sim is None:
        if not plan_loss:
            s.empty("No simulation in these results: losses come from corridor simulate.")
        rep.sections.append(s)
        return
    losses = sim.summary.get("losses")
    if isinstance(losses, dict) and losses:
        rep.table(s, Table("losses", "Losses per run", _stats_frame(losses, _LOSS_LABELS)))
        _list_tables(rep, s, losses, "losses", {"by_fleet": "Losses by fleet (mean per run)"})
        short = losses.get("short_movements")
        if isinstance(short, list) and short:
            s.add("<p>Movements that lost cargo in some run (so never fully close there): "
                  f"{html.escape(', '.join(str(x) for x in short))}.</p>")
    events = sim.table("losses")
    n_runs = _num(sim.summary.get("runs_done", sim.summary.get("runs")))
    if events is not None and len(events) and {"link", "fleet", "t", "pax"} <= set(
            events.columns) and math.isfinite(n_runs) and n_runs > 0:
        rep.table(s, Table("losses-where", "Where carriers and cargo are lost",
                           _where_lost(events, int(n_runs)),
                           {"cargo_lost_t_per_run": "t"}, max_rows=30))
    stock = sim.summary.get("stockouts")
    if isinstance(stock, dict) and _mean(stock.get("node_days")) > 0:
        rep.table(s, Table("stockouts", "Supply shortfalls at depots (stockouts) per run",
                           _stats_frame(stock, {"node_days": ("node-days short", 1.0),
                                                "short_t": ("demand not met (t)", 1.0)})))
        _list_tables(rep, s, stock, "stockouts", {"by_node": "Shortfalls by node"})
    runs = sim.table("runs")
    if runs is not None and {"run", "movement", "lost_t"} <= set(runs.columns):
        if float(runs["lost_t"].sum()) > 0:
            rep.figure(s, "losses", F.losses_figure(runs))
        else:
            s.empty(f"No cargo was lost in any of the {runs['run'].nunique()} runs.")
    rep.sections.append(s)


def _medical_capacity(scenario: Scenario | None) -> dict[str, float]:
    if scenario is None or "role" not in scenario.nodes:
        return {}
    h = scenario.nodes[scenario.nodes["role"] > 0]
    beds = h.groupby("role")["beds"].sum()
    return {f"role{r}": float(b) for r, b in zip(beds.index.astype(int), beds, strict=True)}


def _has_medical(inputs: Inputs, scenario: Scenario | None) -> bool:
    sim = inputs.simulation
    med = sim.summary.get("medical") if sim is not None else None
    modelled = isinstance(med, dict) and med.get("modelled", True) is not False
    if sim is not None and (modelled or sim.table("medical") is not None):
        return True
    return scenario is not None and bool((scenario.medical or {}).get("casualties"))


def _medical_section(rep: Report, inputs: Inputs, scenario: Scenario | None) -> None:
    s = Section("medical", "Medical evacuation",
                "Casualties through the chain of care: the share treated within the 10-1-2 "
                "timelines (damage-control surgery within 2 h), died of wounds, and where "
                "beds run out.")
    sim = inputs.simulation
    med = sim.summary.get("medical") if sim is not None else None
    if isinstance(med, dict) and med:
        cards = []
        share = _mean(med.get("share_surgery_within_limit"))
        if math.isfinite(share):
            cards.append(card(f"{100 * share:.0f} %", "surgery within the 10-1-2 limit (mean)",
                              bad=share < 0.9))
        dow = _mean(med.get("died_of_wounds"))
        if math.isfinite(dow):
            cards.append(card(f"{dow:,.1f}", "died of wounds (mean per run)", bad=dow > 0))
        evac = _mean(med.get("share_evacuated_within_limit"))
        if math.isfinite(evac):
            cards.append(card(f"{100 * evac:.0f} %", "evacuated within the precedence limit "
                              "(mean)", bad=evac < 0.9))
        cas = _mean(med.get("casualties"))
        if math.isfinite(cas):
            cards.append(card(f"{cas:,.0f}", "casualties (mean per run)"))
        if cards:
            s.add(f"<div class='cards'>{''.join(cards)}</div>")
        if med.get("modelled") is False:
            s.add("<p class='note'>The simulation did not model the medical chain (its "
                  "summary says modelled: false): the figures below are empty counts, not "
                  "outcomes.</p>")
        rep.table(s, Table("medical", "Medical outcomes per run", _stats_frame(
            med, {"share_surgery_within_limit": ("share with surgery within limit (%)", 100.0),
                  "share_evacuated_within_limit": ("share evacuated within limit (%)", 100.0),
                  "time_to_surgery_h": ("time to surgery (h)", 1.0),
                  "casualties": ("casualties: wounded in action and DNBI (count)", 1.0),
                  "dnbi": ("of them disease and non-battle injury (count)", 1.0),
                  "kia": ("killed in action (count)", 1.0),
                  "carriers_lost": ("medical carriers lost (count)", 1.0),
                  "died_of_wounds": ("died of wounds (count)", 1.0)})))
        peak = {k: _mean(v) for k, v in (med.get("peak_beds") or {}).items()}
        cap = _medical_capacity(scenario)
        if peak or cap:
            rep.figure(s, "beds", F.medical_beds({k: v for k, v in peak.items()
                                                  if math.isfinite(v)}, cap))
    timeline = None
    if sim is not None:
        timeline = sim.table("medical") if sim.table("medical") is not None \
            else sim.table("medical_timeline")
    if timeline is not None:
        fig = F.medical_timeline(timeline)
        if fig is not None:
            rep.figure(s, "medical-timeline", fig)
    if not s.parts:
        s.empty("The scenario has a medical block but these results hold no medical "
                "outcome: run corridor simulate.")
    rep.sections.append(s)


def _other_section(rep: Report, inputs: Inputs) -> None:
    """Results the report has no special view of (comparisons, evacuations, further
    plans or simulations): their headline fields and list tables."""
    others = [r for r in inputs.results
              if r is not inputs.plan and r is not inputs.simulation]
    # evacuations of this scenario have their own section: here only their headline row
    shown = {id(r) for r in inputs.of_kind("evacuation")}
    s = Section("comparison", "Other results",
                "Further result folders given to the report (comparisons, variants, "
                "evacuations), shown as their summaries state them.")
    if not others:
        s.empty("No further results: give corridor report more result folders (a variant "
                "plan, another simulation, an evacuation) to compare them here.")
        rep.sections.append(s)
        return
    if inputs.foreign:
        s.add(_warning(inputs))
    scalars = []
    for i, r in enumerate(others):
        row: dict[str, Any] = {"folder": r.label, "kind": r.kind}
        for k, v in r.summary.items():
            if k in ("format", "kind"):
                continue
            if isinstance(v, str | int | float | bool) or v is None:
                row[k] = v
            elif isinstance(v, dict) and set(v) <= {"mean", "p10", "p50", "p90"}:
                for q, x in v.items():
                    row[f"{k}_{q}"] = x
            elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v) \
                    and id(r) not in shown:
                frame = pd.DataFrame(v)
                for c in frame.columns:
                    if frame[c].map(lambda x: isinstance(x, dict)).any():
                        frame[c] = frame[c].map(lambda x: x.get("mean", x.get("p50"))
                                                if isinstance(x, dict) else x)
                rep.table(s, Table(f"other-{i + 1}-{k}", f"{r.label}: {k}", frame))
        scalars.append(row)
    rep.tables.insert(0, t := Table("other-results", "Headline figures", pd.DataFrame(scalars)))
    s.parts.insert(0, to_html(t, rep.csv_dir))
    if shown:
        s.parts.insert(1, "<p class='note'>Evacuations of this scenario: their shelters, "
                          "origins and people left behind are under Civil evacuation.</p>")
    rep.sections.append(s)


def _scenario_section(rep: Report, scenario: Scenario | None, inputs: Inputs,
                      command: str | None) -> None:
    s = Section("scenario", "Scenario and provenance",
                "Sizes and fleets of the scenario, and how this report was produced.")
    if scenario is not None:
        info = scenario.summary()
        facts = pd.DataFrame([
            ("scenario", info["name"], ""), ("source", str(scenario.source or ""), ""),
            ("description", " ".join(scenario.description.split()), ""),
            ("start date (C-day)", str(scenario.start_date), ""),
            ("horizon", info["horizon_days"], "days"), ("nodes", info["nodes"], ""),
            ("links", info["links"], ""), ("fleets", info["fleets"], ""),
            ("carriers", info["carriers"], ""), ("movements", info["movements"], ""),
            ("people to move", info["pax"], "pax"), ("cargo to move", info["cargo_t"], "t"),
            ("countries", ", ".join(info["countries"]), ""),
        ], columns=["fact", "value", "unit"])
        rep.table(s, Table("scenario", "Scenario facts", facts))
        c = scenario.carriers
        if len(c):
            cols = [x for x in ("type", "mode", "count", "home", "capacity_t", "capacity_m2",
                                "capacity_pax", "capacity_litters", "max_item_mlc",
                                "speed_kmh", "available_day") if x in c]
            rep.table(s, Table("fleets", "Fleets", c[cols].reset_index(names="fleet"),
                               {"capacity_t": "t", "capacity_m2": "m2", "speed_kmh": "km/h",
                                "available_day": "day"}))
    else:
        s.empty("Scenario not found: sizes and fleets are unknown (pass --scenario).")
    prov = [("run command", str(m["command"])) for m in inputs.runs
            if m.get("command") and m.get("command") != command]
    prov += [("command", command or "(not recorded)"),
            ("generated", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
            ("corridor version", _version())]
    for r in inputs.results:
        extra = [f"{k} {r.summary[k]}" for k in ("runs", "seed", "solve_seconds",
                                                  "wall_seconds") if k in r.summary]
        prov.append((f"{r.kind} result", rep.where(r.folder) + (f" ({', '.join(extra)})"
                                                            if extra else "")))
    prov.append(("map data", attribution()))
    rep.table(s, Table("provenance", "Provenance", pd.DataFrame(prov,
                                                                  columns=["item", "value"])))
    if command:
        s.add(f"<p>Produced by:</p><pre class='cmd'>{html.escape(command)}</pre>")
    rep.sections.append(s)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("corridor")
    except PackageNotFoundError:
        return "unknown"


# --- entry point -------------------------------------------------------------


def compose(inputs: Inputs, scenario: Scenario | None, command: str | None,
            csv_dir: str = "", base: Path | None = None) -> Report:
    """Every section, figure and table of the report, in page order."""
    plan, sim = inputs.plan, inputs.simulation
    movements = movement_table(plan.summary if plan else None, sim.summary if sim else None,
                               scenario.movements if scenario is not None else None)
    name = (scenario.name if scenario is not None
            else (inputs.scenario_names[0] if inputs.scenario_names else "Corridor results"))
    kinds = ", ".join(sorted({r.kind for r in inputs.results}))
    sub = [f"Corridor report: {kinds}."]
    if scenario is not None and scenario.description:
        first = scenario.description.strip().splitlines()[0]
        sub.insert(0, first if len(first) <= 300 else first[:300].rsplit(" ", 1)[0] + " …")
    rep = Report(title=name, subtitle=sub, csv_dir=csv_dir, base=base)
    horizon = _days_horizon(scenario, movements, list(inputs.results))
    steps: list[Callable[[], None]] = [
        lambda: _summary_section(rep, inputs, movements),
        lambda: _map_section(rep, inputs, scenario),
    ]
    if has_evacuation(inputs, scenario):
        steps.append(lambda: evacuation_section(rep, inputs, scenario))
    steps += [
        lambda: _closure_section(rep, inputs, movements, horizon),
        lambda: _gantt_section(rep, movements, horizon),
        lambda: _bottleneck_section(rep, inputs, scenario, horizon),
        lambda: _disruption_section(rep, inputs, scenario, movements, horizon),
        lambda: _losses_section(rep, inputs),
    ]
    if _has_medical(inputs, scenario):
        steps.append(lambda: _medical_section(rep, inputs, scenario))
    steps += [lambda: _other_section(rep, inputs),
              lambda: _scenario_section(rep, scenario, inputs, command)]
    for step in steps:
        step()
    return rep


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    js: str = get_plotlyjs()
    return js


def export_images(figs: dict[str, go.Figure], folder: Path) -> list[Path]:
    """PNG + SVG of every figure via kaleido; [] when kaleido or a browser is missing."""
    try:
        import kaleido  # noqa: F401
        import plotly.io as pio
    except ImportError:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{k}.{ext}" for k in figs for ext in ("png", "svg")]
    try:
        pio.write_images([figs[p.stem] for p in paths], paths, scale=1)
    except Exception:
        return []
    return paths


def build_report(folders: list[Path], out_html: Path, scenario: Scenario | None = None,
                 command: str | None = None, *, images: bool = True,
                 warn: Callable[[str], None] | None = None) -> Path:
    """Write the report for ``folders`` to ``out_html``; tables as CSV (and figures
    as PNG/SVG when ``images`` and kaleido can render) beside it. Returns the path.

    ``warn`` is told when the results are of different scenarios (the page says so too).
    Raises :class:`ReportError` for result folders it cannot read, and
    :class:`corridor.results.ResultFolderError` when a ``_tables`` or ``_figures`` folder
    beside ``out_html`` holds files the report did not write.
    """
    out_html = Path(out_html)
    inputs = load_inputs([Path(f) for f in folders])
    if warn is not None and inputs.foreign:
        warn(inputs.mixed_warning())
    if scenario is None:
        scenario = _scenario_for(inputs)
    csv_dir = f"{out_html.stem}_tables"
    rep = compose(inputs, scenario, command, csv_dir, out_html.parent)
    text = page(rep.title, rep.subtitle, rep.sections, _plotly_js())
    # The side folders are replaced whole, so no CSV or figure of an earlier report stays;
    # only folders holding nothing but such files are replaced (ResultFolderError else).
    with replace_folder(out_html.parent / csv_dir, owned=only_files(".csv")) as stage:
        write_csvs(rep.tables, stage)
    figures, own = out_html.parent / f"{out_html.stem}_figures", only_files(".png", ".svg")
    if images or own(figures):
        with replace_folder(figures, owned=own) as stage:
            if not (images and export_images(rep.figures, stage)):
                for p in stage.iterdir():
                    p.unlink()  # none drawn, or only some: no figures rather than a part
        if not any(figures.iterdir()):
            figures.rmdir()
    atomic_write_text(out_html, text)  # last: the page links the tables just written
    out_html.chmod(0o644)  # a report is for sharing (temp files are created 0600)
    return out_html
