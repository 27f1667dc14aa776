"""The report's charts (plotly): closure curves with the Monte Carlo band, the
movement Gantt, utilisation, disruptions, losses and the medical chain.

Every figure has a title and units on its axes, uses the Okabe-Ito palette and
line styles that survive grey print, and carries only aggregated data (the
report must stay small).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from corridor.report import palette
from corridor.report.closure import (
    arrival_band,
    cumulative_arrivals,
    plan_overall_curve,
    required_curve,
    run_closure_band,
)

DAY_AXIS = "Days since C-day (d)"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
MAX_PANELS = 24  # closure small multiples; the rest are in the movements table


def style(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        template="simple_white", title=dict(text=title, x=0, xanchor="left"), height=height,
        font=dict(family=FONT, size=12, color="#222222"),
        margin=dict(l=70, r=20, t=60, b=60),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=1, xanchor="right"),
        hoverlabel=dict(font=dict(family=FONT)),
    )
    return fig


def legend_above_titles(fig: go.Figure, height: int, top: int = 105) -> go.Figure:
    """Subplot titles sit at the top edge of the plot area: lift the legend above them."""
    plot_h = max(height - top - 60, 50)
    fig.update_layout(margin=dict(t=top), legend=dict(y=1 + 26 / plot_h, yanchor="bottom"))
    return fig


def day_grid(hi: float, n: int = 241) -> np.ndarray:
    return np.linspace(0.0, max(hi, 1.0), n)


def horizon_of(movements: pd.DataFrame, fallback: float) -> float:
    cols = [c for c in ("due_day", "plan_closure_day", "sim_closure_p90") if c in movements]
    vals = movements[cols].to_numpy(float).ravel() if cols else np.array([])
    vals = vals[np.isfinite(vals)]
    hi = float(vals.max()) * 1.1 + 1.0 if len(vals) else fallback
    return min(hi, fallback) if math.isfinite(fallback) else hi


def overall_closure(movements: pd.DataFrame, plan_arrivals: pd.DataFrame | None,
                    runs: pd.DataFrame | None, horizon: float) -> go.Figure:
    """Share of all cargo (tonnes) arrived against the share required by the due days."""
    days = day_grid(horizon)
    m = movements.set_index("movement")
    weights = m["mass_t"] if "mass_t" in m and m["mass_t"].fillna(0).sum() > 0 else None
    unit = "cargo tonnes" if weights is not None else "movements"
    fig = go.Figure()
    if runs is not None and len(runs):
        band = run_closure_band(runs, weights, days)
        fig.add_trace(go.Scatter(x=days, y=100 * band["p90"], mode="lines",
                                 line=dict(width=0), showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=days, y=100 * band["p10"], mode="lines", fill="tonexty",
                                 fillcolor=palette.BAND, line=dict(width=0),
                                 name="simulated p10–p90"))
        fig.add_trace(go.Scatter(x=days, y=100 * band["p50"], mode="lines",
                                 line=dict(color=palette.BLUE, width=2, dash="dash"),
                                 name="simulated median"))
    if plan_arrivals is not None and len(plan_arrivals):
        fig.add_trace(go.Scatter(x=days, y=100 * plan_overall_curve(plan_arrivals, weights, days),
                                 mode="lines", line=dict(color=palette.ORANGE, width=2.5),
                                 name="plan"))
    if "due_day" in m:
        req = required_curve(m["due_day"].dropna(), weights, days)
        fig.add_trace(go.Scatter(x=days, y=100 * req, mode="lines", line_shape="hv",
                                 line=dict(color=palette.BLACK, width=1.5, dash="dot"),
                                 name="required (due days)"))
    fig.update_xaxes(title_text=DAY_AXIS, range=[0, days[-1]])
    fig.update_yaxes(title_text=f"Share of {unit} arrived (%)", range=[0, 102])
    return style(fig, f"Closure of the whole requirement ({unit})", 420)


def movement_closure(movements: pd.DataFrame, plan_arrivals: pd.DataFrame | None,
                     sim_arrivals: pd.DataFrame | None, horizon: float) -> go.Figure:
    """Small multiples: each movement's arrival curve, Monte Carlo band and due day."""
    shown = movements.head(MAX_PANELS)
    n = max(len(shown), 1)
    cols = 4 if n > 6 else min(n, 3)
    rows = math.ceil(n / cols)
    titles = [f"{r.movement} (due d{r.due_day:g})" if pd.notna(getattr(r, "due_day", np.nan))
              else str(r.movement) for r in shown.itertuples()]
    height = 170 * rows + 170
    plot_h = height - 105 - 60  # less the margins legend_above_titles and style() set
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, shared_yaxes=True,
                        x_title=DAY_AXIS, y_title="Arrived (%)",
                        vertical_spacing=min(55 / plot_h, 0.5 / rows), horizontal_spacing=0.04)
    days = day_grid(horizon)
    plan_cum = cumulative_arrivals(plan_arrivals) if plan_arrivals is not None else None
    sim_cum = (cumulative_arrivals(sim_arrivals, ("run", "movement"))
               if sim_arrivals is not None else None)
    legend_done: set[str] = set()

    def legend(name: str) -> bool:
        first = name not in legend_done
        legend_done.add(name)
        return first

    for i, r in enumerate(shown.to_dict("records")):
        row, col = i // cols + 1, i % cols + 1
        mid = r["movement"]
        sim_a = sim_cum[sim_cum["movement"] == mid] if sim_cum is not None else None
        if sim_a is not None and len(sim_a):
            band = arrival_band(sim_a, days)
            fig.add_trace(go.Scatter(x=days, y=100 * band["p90"], mode="lines",
                                     line=dict(width=0), showlegend=False, hoverinfo="skip",
                                     legendgroup="band"), row, col)
            fig.add_trace(go.Scatter(x=days, y=100 * band["p10"], mode="lines", fill="tonexty",
                                     fillcolor=palette.BAND, line=dict(width=0),
                                     name="simulated p10–p90", legendgroup="band",
                                     showlegend=legend("band")), row, col)
            fig.add_trace(go.Scatter(x=days, y=100 * band["p50"], mode="lines",
                                     line=dict(color=palette.BLUE, width=1.5, dash="dash"),
                                     name="simulated median", legendgroup="p50",
                                     showlegend=legend("p50")), row, col)
        elif pd.notna(r.get("sim_closure_p10")) and pd.notna(r.get("sim_closure_p90")):
            lo, hi = r["sim_closure_p10"], r["sim_closure_p90"]
            fig.add_trace(go.Scatter(x=[lo, hi, hi, lo, lo], y=[0, 0, 100, 100, 0],
                                     mode="lines", fill="toself", fillcolor=palette.BAND,
                                     line=dict(width=0), name="simulated closure p10–p90",
                                     legendgroup="band", showlegend=legend("band"),
                                     hoverinfo="text",
                                     text=f"{mid}: closes d{lo:.1f}–d{hi:.1f} (p10–p90)"),
                          row, col)
        if (sim_a is None or not len(sim_a)) and pd.notna(r.get("sim_closure_p50")):
            p50 = r["sim_closure_p50"]
            fig.add_trace(go.Scatter(x=[p50, p50], y=[0, 100], mode="lines",
                                     line=dict(color=palette.BLUE, width=1.5, dash="dash"),
                                     name="simulated median closure", legendgroup="p50",
                                     showlegend=legend("p50")), row, col)
        if plan_cum is not None:
            g = plan_cum[plan_cum["movement"] == mid]
            if len(g):
                x = np.concatenate([[0.0], g["day"].to_numpy(float), [days[-1]]])
                y = np.concatenate([[0.0], g["share"].to_numpy(float),
                                    [g["share"].iloc[-1]]])
                fig.add_trace(go.Scatter(x=x, y=100 * y, mode="lines", line_shape="hv",
                                         line=dict(color=palette.ORANGE, width=2.2),
                                         name="plan", legendgroup="plan",
                                         showlegend=legend("plan")), row, col)
        if pd.notna(r.get("due_day")):
            fig.add_trace(go.Scatter(x=[r["due_day"]] * 2, y=[0, 100], mode="lines",
                                     line=dict(color=palette.BLACK, width=1.2, dash="dot"),
                                     name="due day", legendgroup="due",
                                     showlegend=legend("due")), row, col)
    fig.update_xaxes(range=[0, days[-1]])
    fig.update_yaxes(range=[0, 104])
    fig.update_annotations(font_size=11)
    title = "Closure per movement against its due day"
    if len(movements) > len(shown):
        title += f" (first {len(shown)} of {len(movements)} by due day)"
    return legend_above_titles(style(fig, title, height), height)


def gantt(movements: pd.DataFrame, horizon: float) -> go.Figure:
    """Ready → (planned) closure per movement; due day and simulated p10–p90 marked."""
    m = movements.iloc[::-1]  # first due on top
    y = m["movement"].astype(str)
    fig = go.Figure()
    start = m["ready_day"] if "ready_day" in m else pd.Series(0.0, index=m.index)
    has = pd.Series(True, index=m.index)
    if "plan_closure_day" in m:
        end = m["plan_closure_day"]
        basis = "plan"
        has = m.get("in_plan", has)
    elif "sim_closure_p50" in m:
        end = m["sim_closure_p50"]
        basis = "simulated median"
        has = m.get("in_sim", has)
    else:
        end = pd.Series(np.nan, index=m.index)
        basis = "none"
    # a movement the plan (or simulation) lacks gets no bar: it is not unmet there
    unmet = end.isna() & has
    end_f = end.fillna(horizon)
    due = m["due_day"] if "due_day" in m else pd.Series(np.nan, index=m.index)
    late = (end_f > due + 1e-9) | unmet
    for flag, color, name in ((False, palette.ON_TIME, f"on time ({basis})"),
                              (True, palette.LATE, f"late or unmet ({basis})")):
        sel = ((late == flag) & has).to_numpy()
        if not sel.any():
            continue
        fig.add_trace(go.Bar(
            y=y[sel], x=(end_f - start)[sel], base=start[sel], orientation="h", name=name,
            marker=dict(color=color, pattern=dict(shape=["/" if u else "" for u in unmet[sel]])),
            hovertext=[f"{mid}: ready d{s:g}, closes d{e:.1f}" + (" (never)" if u else "")
                       for mid, s, e, u in zip(y[sel], start[sel], end_f[sel], unmet[sel],
                                               strict=True)],
            hoverinfo="text"))
    if "sim_closure_p10" in m and m["sim_closure_p10"].notna().any():
        fig.add_trace(go.Scatter(
            x=m["sim_closure_p50"], y=y, mode="markers", name="simulated closure p10–p90",
            marker=dict(color=palette.BLACK, size=6, symbol="line-ns-open"),
            error_x=dict(type="data", symmetric=False,
                         array=m["sim_closure_p90"] - m["sim_closure_p50"],
                         arrayminus=m["sim_closure_p50"] - m["sim_closure_p10"],
                         color=palette.BLACK, thickness=1.5, width=4)))
    if due.notna().any():
        fig.add_trace(go.Scatter(x=due, y=y, mode="markers", name="due day",
                                 marker=dict(symbol="diamond", size=10, color=palette.YELLOW,
                                             line=dict(color=palette.BLACK, width=1.2))))
    fig.update_xaxes(title_text=DAY_AXIS, range=[0, horizon])
    fig.update_yaxes(title_text="Movement", type="category")
    fig.update_layout(barmode="overlay", bargap=0.35)
    return style(fig, "Movements: ready day to closure", 24 * len(m) + 170)


def bottleneck_bars(bottlenecks: list[dict[str, Any]], top: int = 15) -> go.Figure:
    rows = [b for b in bottlenecks if isinstance(b.get("utilization"), int | float)][:top]
    rows = rows[::-1]
    kinds = sorted({str(b.get("kind", "")) for b in rows})
    fig = go.Figure()
    for i, k in enumerate(kinds):
        sel = [b for b in rows if str(b.get("kind", "")) == k]
        fig.add_trace(go.Bar(
            y=[f"{b.get('kind')}: {b.get('id')}" for b in sel],
            x=[100 * float(b["utilization"]) for b in sel], orientation="h", name=k,
            marker=dict(color=palette.series(i)),
            text=[f"{100 * float(b['utilization']):.0f} %" for b in sel],
            textposition="outside", hovertext=[str(b.get("explanation", "")) for b in sel],
            hoverinfo="text"))
    fig.add_vline(x=100, line=dict(color=palette.BLACK, dash="dot", width=1))
    fig.update_xaxes(title_text="Utilisation over the busiest period (%)", range=[0, 118])
    fig.update_yaxes(title_text="Resource", type="category")
    return style(fig, "Utilisation of the ranked bottlenecks", 26 * len(rows) + 170)


def carrier_departures(trips: pd.DataFrame, horizon: float) -> go.Figure:
    """Loaded carrier departures per day, stacked by mode (columns fleet, mode,
    depart_day, trips); the hover lists the busiest fleets of the day."""
    f = pd.DataFrame({"day": np.floor(trips["depart_day"].to_numpy(float)),
                      "mode": trips["mode"].astype(str), "fleet": trips["fleet"].astype(str),
                      "trips": trips["trips"].to_numpy(float)})
    f = f[f["trips"] > 0]
    per = f.groupby(["day", "mode"])["trips"].sum().unstack(fill_value=0)
    by_fleet = f.groupby(["day", "mode", "fleet"])["trips"].sum().reset_index()
    by_fleet = by_fleet.sort_values(["day", "mode", "trips"], ascending=[True, True, False])
    top: dict[tuple[float, str], str] = {}
    for (d, m), g in by_fleet.groupby(["day", "mode"]):
        top[(float(str(d)), str(m))] = "<br>".join(
            f"{fl}: {n:,.0f}" for fl, n in zip(g["fleet"].head(5), g["trips"].head(5),
                                               strict=True))
    fig = go.Figure()
    for mode in [m for m in palette.MODE_COLOR if m in per.columns]:
        fig.add_trace(go.Bar(x=per.index, y=per[mode], name=mode.replace("_", " "),
                             marker=dict(color=palette.MODE_COLOR[mode],
                                         pattern=dict(shape=_MODE_PATTERN[mode])),
                             hovertext=[top.get((float(d), mode), "") for d in per.index],
                             hovertemplate="day %{x}: %{y:,.0f} trips<br>%{hovertext}"
                             "<extra>%{fullData.name}</extra>"))
    fig.update_layout(barmode="stack", bargap=0.1)
    fig.update_xaxes(title_text=DAY_AXIS, range=[-0.5, horizon])
    fig.update_yaxes(title_text="Loaded departures (trips/day)")
    return style(fig, "Carrier departures per day by mode (plan)", 380)


_MODE_PATTERN = {"road": "", "rail": "/", "sea": ".", "air": "x", "inland_water": "-"}


def disruption_timeline(disruptions: pd.DataFrame, horizon: float) -> go.Figure:
    """Scheduled windows as bars; random processes and standing threats across the horizon."""
    d = disruptions.iloc[::-1]
    fig = go.Figure()
    styles = {"window": (palette.VERMILLION, "", "scheduled window (capacity × factor)"),
              "random": (palette.ORANGE, "x", "random outages (rate, mean length)"),
              "standing": (palette.PURPLE, ".", "standing threat (loss probability)")}
    for kind, (color, shape, name) in styles.items():
        sel = d[d["kind"] == kind] if "kind" in d else d.iloc[:0]
        if not len(sel):
            continue
        start = sel["start_day"].fillna(0.0) if kind == "window" else pd.Series(0.0, sel.index)
        end = sel["end_day"].fillna(horizon) if kind == "window" else pd.Series(horizon,
                                                                                 sel.index)
        text = [_disruption_text(r) for _, r in sel.iterrows()]
        fig.add_trace(go.Bar(y=[f"{i}: {t}" for i, t in zip(sel.index, sel["target"],
                                                               strict=True)],
                             x=end - start, base=start, orientation="h", name=name,
                             marker=dict(color=color, pattern=dict(shape=shape)),
                             hovertext=text, hoverinfo="text", text=text,
                             textposition="inside", insidetextanchor="start"))
    fig.update_xaxes(title_text=DAY_AXIS, range=[0, horizon])
    fig.update_yaxes(title_text="Disruption: target", type="category")
    fig.update_layout(barmode="overlay")
    return style(fig, "Disruptions in the scenario", 30 * len(d) + 170)


def _disruption_text(r: pd.Series) -> str:
    parts = []
    if r.get("kind") == "random":
        parts.append(f"{r['rate_per_day']:g}/day, mean {r['mean_duration_days']:g} d")
    if r.get("kind") != "standing" or r.get("capacity_factor", 1.0) < 1.0:
        parts.append(f"capacity × {r['capacity_factor']:g}")
    if r.get("loss_prob", 0.0) > 0:
        parts.append(f"loss p {r['loss_prob']:g}")
    return ", ".join(parts)


def delay_dumbbell(movements: pd.DataFrame) -> go.Figure:
    """Planned closure against simulated median and p90: what disruptions and losses cost."""
    m = movements.dropna(subset=["sim_closure_p50"]).iloc[::-1]
    y = m["movement"].astype(str)
    fig = go.Figure()
    xs: list[float | None] = []
    ys: list[str | None] = []
    lo = m["plan_closure_day"] if "plan_closure_day" in m else m["sim_closure_p10"]
    for a, b, mid in zip(lo, m["sim_closure_p90"], y, strict=True):
        xs += [a, b, None]
        ys += [mid, mid, None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=palette.GREY, width=2),
                             showlegend=False, hoverinfo="skip"))
    if "plan_closure_day" in m:
        fig.add_trace(go.Scatter(x=m["plan_closure_day"], y=y, mode="markers", name="plan",
                                 marker=dict(color=palette.ORANGE, size=10, symbol="circle")))
    fig.add_trace(go.Scatter(x=m["sim_closure_p50"], y=y, mode="markers",
                             name="simulated median",
                             marker=dict(color=palette.BLUE, size=10, symbol="square")))
    fig.add_trace(go.Scatter(x=m["sim_closure_p90"], y=y, mode="markers", name="simulated p90",
                             marker=dict(color=palette.VERMILLION, size=10,
                                         symbol="triangle-right")))
    if "due_day" in m:
        fig.add_trace(go.Scatter(x=m["due_day"], y=y, mode="markers", name="due day",
                                 marker=dict(symbol="diamond-open", size=11,
                                             color=palette.BLACK, line=dict(width=1.5))))
    fig.update_xaxes(title_text="Closure (days since C-day, d)")
    fig.update_yaxes(title_text="Movement", type="category")
    return style(fig, "Closure under disruption: plan vs simulated median and p90",
                 26 * len(m) + 170)


def losses_figure(runs: pd.DataFrame) -> go.Figure:
    """Cargo lost per run (histogram) and the mean loss per movement."""
    per_run = runs.groupby("run")["lost_t"].sum()
    per_mov = runs.groupby("movement")["lost_t"].mean().sort_values(ascending=False).head(15)
    fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.14,
                        subplot_titles=("Cargo lost per run", "Mean cargo lost per movement"))
    fig.add_trace(go.Histogram(x=per_run, marker_color=palette.VERMILLION, name="runs",
                               showlegend=False, nbinsx=30), 1, 1)
    fig.add_trace(go.Bar(x=per_mov.to_numpy()[::-1], y=per_mov.index.astype(str)[::-1],
                         orientation="h", marker_color=palette.ORANGE, showlegend=False,
                         name="mean lost"), 1, 2)
    fig.update_xaxes(title_text="Cargo lost in the run (t)", row=1, col=1)
    fig.update_yaxes(title_text="Runs (count)", row=1, col=1)
    fig.update_xaxes(title_text="Mean cargo lost (t)", row=1, col=2)
    fig.update_yaxes(title_text="Movement", type="category", row=1, col=2)
    return style(fig, f"Losses over {per_run.size} simulated runs", 380)


def medical_timeline(frame: pd.DataFrame) -> go.Figure | None:
    """Patients in the chain and beds occupied by role over time (mean over runs,
    p10–p90 band when there are runs). Reads a long table (day, role, value
    columns) or a wide one (day, patients..., beds_role2...)."""
    if "day" not in frame:
        return None
    f = frame.copy()
    f["day"] = f["day"].astype(float)
    if "role" in f:
        value = next((c for c in ("beds_occupied", "occupied", "beds", "patients")
                      if c in f), None)
        if value is None:
            return None
        f["role"] = f["role"].astype(str)
        idx = ["run", "day"] if "run" in f else ["day"]
        wide = f.pivot_table(index=idx, columns="role", values=value, aggfunc="sum")
        wide.columns = [f"beds_{c}" for c in wide.columns]
        f = wide.reset_index()
    numeric = [c for c in f.columns if c not in ("run", "day", "role", "node")
               and pd.api.types.is_numeric_dtype(f[c])]
    beds = [c for c in numeric if c.startswith(("beds_", "occupied_", "occupancy_"))]
    patients = [c for c in numeric if c not in beds]
    if not numeric:
        return None
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=("Patients in hospital (all roles)",
                                        "Beds occupied by role of care"))
    for col_idx, cols in ((1, patients), (2, beds)):
        for i, c in enumerate(cols):
            g = f.groupby("day")[c]
            color = palette.series(i + (0 if col_idx == 1 else 3))
            label = c.replace("beds_", "").replace("occupied_", "").replace("_", " ")
            if "run" in f and f["run"].nunique() > 1:
                lo, hi = g.quantile(0.1), g.quantile(0.9)
                fig.add_trace(go.Scatter(x=hi.index, y=hi.to_numpy(), mode="lines",
                                         line=dict(width=0), showlegend=False,
                                         hoverinfo="skip"), 1, col_idx)
                fig.add_trace(go.Scatter(x=lo.index, y=lo.to_numpy(), mode="lines",
                                         fill="tonexty",
                                         fillcolor=palette.rgba(color, 0.2),
                                         line=dict(width=0), showlegend=False,
                                         name=f"{label} p10–p90"), 1, col_idx)
            mean = g.mean()
            fig.add_trace(go.Scatter(x=mean.index, y=mean.to_numpy(), mode="lines",
                                     name=label, line=dict(color=color, width=2,
                                                           dash=_DASHES[i % len(_DASHES)])),
                          1, col_idx)
    fig.update_xaxes(title_text=DAY_AXIS)
    fig.update_yaxes(title_text="Patients (count)", row=1, col=1)
    fig.update_yaxes(title_text="Beds occupied (count)", row=1, col=2)
    return legend_above_titles(
        style(fig, "Medical chain over time (mean over runs, p10–p90 band)", 430), 430)


_DASHES = ("solid", "dash", "dot", "dashdot", "longdash")


def medical_beds(peak: dict[str, float], capacity: dict[str, float]) -> go.Figure:
    """Peak beds occupied per role (mean over runs) against the beds the scenario has."""
    roles = sorted(set(peak) | set(capacity))
    fig = go.Figure()
    fig.add_trace(go.Bar(x=roles, y=[peak.get(r, 0.0) for r in roles], name="peak occupied (mean)",
                         marker_color=palette.VERMILLION))
    fig.add_trace(go.Bar(x=roles, y=[capacity.get(r, 0.0) for r in roles], name="beds available",
                         marker=dict(color=palette.BLUE, pattern=dict(shape="/"))))
    fig.update_xaxes(title_text="Role of care")
    fig.update_yaxes(title_text="Beds (count)")
    fig.update_layout(barmode="group")
    return style(fig, "Peak bed occupancy by role against beds available", 360)


def evacuation_curve(arrivals: pd.DataFrame, evacuees: int, *, target_h: float | None,
                     horizon_h: float | None, clearance_h: float | None) -> go.Figure:
    """People in shelters over time against everybody, the target and the horizon.

    ``arrivals``: ``arrival_h`` and ``size`` per group (routes.parquet; people sheltered
    in place arrive at 0 h). Plotted as a step curve of the totals per arrival time, so
    the figure stays small however many groups there are.
    """
    per_time = arrivals.groupby("arrival_h")["size"].sum().sort_index()
    hours = np.concatenate([[0.0], per_time.index.to_numpy(float)])
    people = np.concatenate([[0.0], per_time.cumsum().to_numpy(float)])
    last = float(hours.max()) if len(hours) else 0.0
    right = max(last, target_h or 0.0, 0.5) * 1.1
    if horizon_h is not None and horizon_h <= right * 1.5:  # not when it squashes the curve
        right = max(right, horizon_h * 1.02)
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=np.append(hours, right), y=np.append(people, people[-1]), mode="lines",
        line=dict(color=palette.BLUE, width=2, shape="hv"), name="people in shelters",
        hovertemplate="%{x:.2f} h: %{y:,.0f} people in shelters<extra></extra>"))
    fig.add_hline(y=evacuees, line=dict(color=palette.BLACK, dash="dot", width=1),
                  annotation_text=f"everybody ({evacuees:,})", annotation_position="top left")
    marks = [(clearance_h, "clearance", palette.BLUE, "dash", "bottom right"),
             (target_h, "target", palette.VERMILLION, "dashdot", "bottom left"),
             (horizon_h, "horizon", palette.GREY, "dot", "top left")]
    for x, name, color, dash, where in marks:
        if x is not None and x <= right:
            fig.add_vline(x=x, line=dict(color=color, dash=dash, width=1.5),
                          annotation_text=f"{name} {x:.2f} h", annotation_position=where)
    fig.update_xaxes(title_text="Hours since the evacuation starts (h)", range=[0, right])
    fig.update_yaxes(title_text="People in shelters (count)", rangemode="tozero")
    return style(fig, "People in shelters over time", 380)
