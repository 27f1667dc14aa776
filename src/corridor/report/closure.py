"""Closure arithmetic the figures and tables share: plan arrival curves, Monte
Carlo bands from simulated runs, and the per-movement closure table."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

QUANTILES = (0.1, 0.5, 0.9)


def _num(v: Any) -> float:
    """A JSON number, or NaN for null / missing / non-numbers."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return math.nan
    return float(v)


def _stat(v: Any, key: str) -> float:
    """``closure_day`` may be a number (plan) or a {mean, p10, ...} block (simulation)."""
    if isinstance(v, dict):
        return _num(v.get(key))
    return _num(v) if key in ("mean", "p50", "value") else math.nan


def cumulative_arrivals(arrivals: pd.DataFrame,
                        keys: tuple[str, ...] = ("movement",)) -> pd.DataFrame:
    """Arrivals as cumulative share per ``keys`` group, sorted by day, whichever way
    the engine wrote them: cumulative already, or the share arriving at each time
    (increments, e.g. 0.2, 0.3, 0.5: they decrease somewhere, or sum to one without
    the last value reaching one)."""
    cols = [*keys, "day", "share"]
    a = arrivals[cols].dropna().sort_values([*keys, "day"], kind="stable")
    a = a.assign(share=a["share"].astype(float)).reset_index(drop=True)
    by = [a[k] for k in keys]
    g = a.groupby(by, sort=False)["share"]
    rises = (g.diff().fillna(0.0) >= -1e-9).groupby(by, sort=False).transform("all")
    last, total = g.transform("last"), g.transform("sum")
    incremental = ~rises | ((last < 0.999) & ((total - 1.0).abs() < 1e-6))
    cum = a["share"].where(~incremental, g.cumsum())
    return a.assign(share=cum.clip(0.0, 1.0))


def movement_table(plan: dict[str, Any] | None, sim: dict[str, Any] | None,
                   scenario_movements: pd.DataFrame | None) -> pd.DataFrame:
    """One row per movement: requirement, planned and simulated closure, and (``in_plan``,
    ``in_sim``) which of the given results has it."""
    rows: dict[str, dict[str, Any]] = {}

    def row(mid: str) -> dict[str, Any]:
        return rows.setdefault(mid, {"movement": mid})

    if scenario_movements is not None:
        for mid, m in scenario_movements.iterrows():
            r = row(str(mid))
            r.update(unit=m.get("unit", ""), kind=m.get("kind", ""), origin=m["origin"],
                     destination=m["destination"], ready_day=float(m["ready_day"]),
                     due_day=float(m["due_day"]), pax=int(m["pax"]),
                     mass_t=float(m["mass_t"]))
    if plan:
        for m in plan.get("movements", []):
            r = row(str(m.get("id")))
            if not math.isnan(_num(m.get("due_day"))):
                r["due_day"] = _num(m.get("due_day"))
            r["plan_closure_day"] = _num(m.get("closure_day"))
            r["plan_late_days"] = _num(m.get("late_days"))
            r["in_plan"] = True
    if sim:
        for m in sim.get("movements", []):
            r = row(str(m.get("id")))
            if "due_day" not in r and not math.isnan(_num(m.get("due_day"))):
                r["due_day"] = _num(m.get("due_day"))
            c = m.get("closure_day")
            for q in ("mean", "p10", "p50", "p90"):
                r[f"sim_closure_{q}"] = _stat(c, q)
            r["p_on_time"] = _num(m.get("p_on_time"))
            r["in_sim"] = True
    frame = pd.DataFrame(list(rows.values()))
    if not len(frame):
        return frame
    # Which result has each movement: a NaN closure of a movement a result lacks is not
    # "never closes" there (in_plan / in_sim, only when that result was given).
    for col in ("in_plan", "in_sim"):
        if col in frame:
            frame[col] = frame[col].eq(True)
    if "due_day" in frame.columns:
        frame = frame.sort_values(["due_day", "movement"], kind="stable", na_position="last")
    return frame.reset_index(drop=True)


def run_closure_band(runs: pd.DataFrame, weights: pd.Series | None, days: np.ndarray,
                     ) -> pd.DataFrame:
    """p10/p50/p90 over runs of the (weighted) share of movements closed by each day.

    A movement that never closed in a run (closure NaN) counts as not arrived."""
    r = runs[["run", "movement", "closure_day"]]
    w = (weights.reindex(r["movement"]).fillna(1.0).to_numpy(float)
         if weights is not None else np.ones(len(r)))
    run_ids, run_idx = np.unique(r["run"].to_numpy(), return_inverse=True)
    closure = r["closure_day"].to_numpy(float)
    total = np.bincount(run_idx, weights=w, minlength=len(run_ids))
    shares = np.empty((len(run_ids), len(days)))
    for j, d in enumerate(days):
        done = np.nan_to_num(closure, nan=np.inf) <= d
        shares[:, j] = np.bincount(run_idx, weights=w * done, minlength=len(run_ids))
    shares /= np.where(total > 0, total, 1.0)[:, None]
    q = np.quantile(shares, QUANTILES, axis=0)
    return pd.DataFrame({"day": days, "p10": q[0], "p50": q[1], "p90": q[2]})


def arrival_band(cumulative: pd.DataFrame, days: np.ndarray) -> pd.DataFrame:
    """p10/p50/p90 over runs of one movement's cumulative share arrived (columns run,
    day, share, as :func:`cumulative_arrivals` with keys run[, movement] returns)."""
    c = cumulative.sort_values(["run", "day"], kind="stable")
    run = c["run"].to_numpy()
    x, y = c["day"].to_numpy(float), c["share"].to_numpy(float)
    starts = np.flatnonzero(np.r_[True, run[1:] != run[:-1]])
    ends = np.r_[starts[1:], len(run)]
    curves = np.vstack([_step_at(x[a:b], y[a:b], days) for a, b in zip(starts, ends,
                                                                      strict=True)])
    q = np.quantile(curves, QUANTILES, axis=0)
    return pd.DataFrame({"day": days, "p10": q[0], "p50": q[1], "p90": q[2]})


def _step_at(x: np.ndarray, y: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Right-continuous step function through (x, y), 0 before the first point."""
    idx = np.searchsorted(x, at, side="right") - 1
    return np.where(idx >= 0, y[np.clip(idx, 0, None)] if len(y) else 0.0, 0.0)


def plan_overall_curve(arrivals: pd.DataFrame, weights: pd.Series | None,
                       days: np.ndarray) -> np.ndarray:
    """Weighted share of all cargo the plan has delivered by each day."""
    cum = cumulative_arrivals(arrivals)
    total = np.zeros(len(days))
    wsum = 0.0
    for mid, g in cum.groupby("movement"):
        w = float(weights.get(mid, 1.0)) if weights is not None else 1.0
        total += w * _step_at(g["day"].to_numpy(float), g["share"].to_numpy(float), days)
        wsum += w
    return total / wsum if wsum > 0 else total


def required_curve(due: pd.Series, weights: pd.Series | None, days: np.ndarray) -> np.ndarray:
    """Share of cargo required to have arrived by each day (due dates as a step)."""
    w = weights.reindex(due.index).fillna(1.0) if weights is not None else pd.Series(1.0,
                                                                                       due.index)
    tot = float(w.sum())
    d = due.to_numpy(float)
    return np.array([float(w[d <= x].sum()) / tot if tot else 0.0 for x in days])
