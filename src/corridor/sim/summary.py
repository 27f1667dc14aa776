"""From run records to the ``corridor-result/1`` simulation summary and per-run tables.

Everything here depends only on the records in run order, and every float is
rounded to 6 decimals, so the same seed gives byte-identical summaries whatever
the backend or worker count (``wall_seconds`` aside).

Conventions (docs/simulator.md, "Results"):

- a movement *closes* when all of its cargo is delivered; closure is the day its
  last unit arrived; one that lost cargo never closes (the run's closure is inf);
- ``closure_day`` stats: ``mean`` over the runs in which it closed within the
  horizon (``p_closed`` says how many), percentiles over all runs with a run that
  never closed counting as later than any day (null when the percentile falls on
  one);
- ``p_on_time``: closed by its due day with nothing lost;
- ``losses``: carriers and cargo lost per run; a movement that lost cargo is
  *short* (``p_short``, ``lost_t``) and never on time;
- ``medical`` is always there, in one shape (results-format.md shows it for every
  simulation; no field may be dropped): ``modelled`` says whether the scenario has a
  ``medical:`` block; the counts are 0 where nothing happened; ``peak_beds`` has
  ``role2`` and ``role3`` (the spec's keys) and every role of the scenario's
  hospitals, 0 where no bed was used; a share is over the runs that judged a case
  and 0 where none did (the spec shows shares as numbers; ``surgical_cases_judged`` /
  ``evacuations_judged`` say how many cases it is of); ``time_to_surgery_h`` (not a
  spec field) is null where nobody was operated.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from corridor.results.folder import FORMAT
from corridor.sim.medical import LOST_PATIENTS
from corridor.sim.model import SimModel
from corridor.sim.montecarlo import RunRecord

DIGITS = 6
NEVER = 1e300  # stands for "not within the horizon" inside percentile arithmetic
SPEC_ROLES = ("role2", "role3")  # the roles results-format.md shows under peak_beds
SHARES = ("share_surgery_within_limit", "share_evacuated_within_limit")
MEDICAL = ("casualties", "kia", *SHARES, "time_to_surgery_h", "died_of_wounds",
           "carriers_lost", "surgical_cases_judged", "evacuations_judged", "dnbi")
# the medical columns run_totals had first, in their place; the rest of MEDICAL follows
# the peak_beds_* columns
RUN_TOTALS_MEDICAL = ("casualties", "died_of_wounds", "share_surgery_within_limit")


def r6(x: float) -> float | None:
    """Rounded for a byte-stable summary; None for inf / NaN (JSON null)."""
    x = float(x)
    return round(x, DIGITS) if math.isfinite(x) else None


def stats(values: np.ndarray) -> dict[str, float | None]:
    """mean / p10 / p50 / p90 of per-run values (NaN ignored)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if not len(v):
        return {"mean": None, "p10": None, "p50": None, "p90": None}
    q = np.percentile(v, [10, 50, 90])
    return {"mean": r6(v.mean()), "p10": r6(q[0]), "p50": r6(q[1]), "p90": r6(q[2])}


def closure_stats(values: np.ndarray) -> dict[str, float | None]:
    """Like :func:`stats`, with inf = never closed (see module doc)."""
    v = np.asarray(values, dtype=float)
    if not len(v):
        return {"mean": None, "p10": None, "p50": None, "p90": None}
    closed = np.isfinite(v)
    q = np.percentile(np.where(closed, v, NEVER), [10, 50, 90])
    out: dict[str, float | None] = {"mean": r6(v[closed].mean()) if closed.any() else None}
    for name, x in zip(("p10", "p50", "p90"), q, strict=True):
        out[name] = r6(x) if x < NEVER / 10 else None
    return out


def build_summary(model: SimModel, records: list[RunRecord], *, runs: int, seed: int,
                  scenario: str, source: str, plan_dir: str | None, deterministic: bool,
                  complete: bool, wall_seconds: float) -> dict[str, Any]:
    n = len(records)
    n_mv = len(model.mv_ids)
    closure = np.array([r.closure for r in records]).reshape(n, n_mv)
    lost_t = np.array([r.lost_t for r in records]).reshape(n, n_mv)
    lost_pax = np.array([r.lost_pax for r in records]).reshape(n, n_mv)
    delivered_t = np.array([r.delivered_t for r in records]).reshape(n, n_mv)
    short = (lost_t > 1e-9) | (lost_pax > 1e-9)
    on_time = np.isfinite(closure) & (closure <= model.mv_due[None, :] + 1e-9) & ~short
    # no movement to close (an evacuation- or medical-only scenario): the closure is
    # null, as the plan's is, not day 0
    overall = closure.max(axis=1) if n_mv else np.zeros(0)
    movements = []
    for j, mid in enumerate(model.mv_ids):
        movements.append({
            "id": mid,
            "due_day": r6(model.mv_due[j]),
            "closure_day": closure_stats(closure[:, j]),
            "p_on_time": r6(on_time[:, j].mean()) if n else None,
            "p_closed": r6(np.isfinite(closure[:, j]).mean()) if n else None,
            "p_short": r6(short[:, j].mean()) if n else None,
            "lost_t": {"mean": r6(lost_t[:, j].mean()) if n else None},
            "delivered_t": {"mean": r6(delivered_t[:, j].mean()) if n else None},
        })
    carriers = np.array([r.carriers_lost.sum() for r in records])
    by_fleet = np.array([r.carriers_lost for r in records]).reshape(n, len(model.fleet_ids))
    summary: dict[str, Any] = {
        "format": FORMAT,
        "kind": "simulation",
        "scenario": scenario,
        "scenario_source": source,
        "runs": runs,
        "runs_done": n,
        "complete": complete,
        "seed": seed,
        "policy": model.policy,
        "plan": plan_dir,
        "deterministic": deterministic,
        "closure_day": closure_stats(overall),
        "p_closed": r6(np.isfinite(overall).mean()) if n and n_mv else None,
        "p_on_time": r6(on_time.all(axis=1).mean()) if n else None,
        "movements": movements,
        "losses": {
            "carriers": stats(carriers),
            "cargo_t": stats(lost_t.sum(axis=1)),
            # people lost: movements' people and patients lost aboard medical carriers
            "pax": stats(lost_pax.sum(axis=1) + _patients_lost(records)),
            "by_fleet": [{"fleet": model.fleet_ids[f], "carriers": {"mean": r6(x)}}
                         for f, x in enumerate(by_fleet.mean(axis=0)) if x > 0] if n else [],
            "short_movements": [mid for j, mid in enumerate(model.mv_ids)
                                if n and short[:, j].any()],
        },
        "stockouts": _stockouts(model, records),
        "disruptions": _disruptions(model, records),
        "unmet": [{"movement": m, "reason": why} for m, why in model.unmet],
        "events": int(sum(r.events for r in records)),
        "trips": int(sum(r.trips for r in records)),
        "wall_seconds": round(wall_seconds, 3),
    }
    summary["medical"] = _medical(model, records)
    return summary


def _patients_lost(records: list[RunRecord]) -> np.ndarray:
    """Per run, the patients lost aboard medical carriers (their loss rows)."""
    return np.array([sum(units for _, _, _, c, units in r.losses if c == LOST_PATIENTS)
                     for r in records], dtype=float)


def node_days(rec: RunRecord) -> set[tuple[int, int]]:
    """The (node, day) pairs of a run with a stock-out: one however many supply classes
    (or supply rows) of the node are short that day."""
    return {(node, day) for node, day, _, _ in rec.stockouts}


def _stockouts(model: SimModel, records: list[RunRecord]) -> dict[str, Any]:
    short_days = [node_days(r) for r in records]
    days = np.array([len(x) for x in short_days], dtype=float)
    short = np.array([sum(x[2] for x in r.stockouts) for r in records], dtype=float)
    per_node: dict[int, int] = {}
    for nd in short_days:
        for node, _ in nd:
            per_node[node] = per_node.get(node, 0) + 1
    n = max(len(records), 1)
    return {"node_days": stats(days), "short_t": stats(short),
            "by_node": [{"node": model.node_ids[k], "node_days": {"mean": r6(v / n)}}
                        for k, v in sorted(per_node.items())]}


def _disruptions(model: SimModel, records: list[RunRecord]) -> list[dict[str, Any]]:
    d = model.disruptions
    out = []
    for i, rid in enumerate(d.ids):
        outages = np.array([r.outages[i] for r in records], dtype=float)
        closed = np.array([r.closed_days[i] for r in records], dtype=float)
        out.append({"id": rid, "kind": d.kind[i], "outages": stats(outages)["mean"],
                    "active_days": stats(closed)["mean"],
                    "capacity_factor": r6(d.factor[i]), "loss_prob": r6(d.loss[i])})
    return out


def medical_value(rec: RunRecord, key: str) -> float:
    """A run's medical figure ``key`` (one of MEDICAL): NaN for a share or time with no
    case to judge, 0 for a count where nothing happened."""
    nothing = math.nan if key in SHARES or key == "time_to_surgery_h" else 0.0
    return float(rec.medical.get(key, nothing))


def _medical(model: SimModel, records: list[RunRecord]) -> dict[str, Any]:
    """The ``medical`` block, the same keys with or without a ``medical:`` block (module
    doc). Per run, a share or time with no case to judge is NaN; a scenario without the
    block has no casualties, no medical carriers and no bed used."""
    out: dict[str, Any] = {"modelled": model.medical is not None}
    # what the chain does not model in this scenario (no troops where casualties are
    # generated, icu_beds): said here, not silently left out
    out["notes"] = list(model.medical.notes) if model.medical is not None else []
    for k in MEDICAL:
        v = np.array([medical_value(r, k) for r in records], dtype=float)
        if k in SHARES and len(v) and np.isnan(v).all():
            v = np.zeros(len(v))  # no run judged a case: 0 of 0, not a missing number
        out[k] = stats(v)
    roles = set(SPEC_ROLES) | set(model.medical.roles if model.medical is not None else ())
    out["peak_beds"] = {role: stats(np.array([r.peak_beds.get(role, 0.0) for r in records],
                                             dtype=float)) for role in sorted(roles)}
    return out


def run_tables(model: SimModel, records: list[RunRecord]) -> dict[str, pd.DataFrame]:
    """The per-run tables written beside summary.json."""
    n_mv = len(model.mv_ids)
    run = np.repeat([r.run for r in records], n_mv)
    mv = np.tile(np.asarray(model.mv_ids, dtype=object), len(records))
    closure = np.concatenate([r.closure for r in records]) if records else np.zeros(0)
    lost_t = np.concatenate([r.lost_t for r in records]) if records else np.zeros(0)
    lost_pax = np.concatenate([r.lost_pax for r in records]) if records else np.zeros(0)
    due = np.tile(model.mv_due, len(records))
    short = (lost_t > 1e-9) | (lost_pax > 1e-9)
    closed = np.isfinite(closure)
    runs = pd.DataFrame({
        "run": run.astype(np.int64),
        "movement": mv,
        "closure_day": np.where(closed, closure, np.nan),
        "closed": closed,
        "on_time": closed & (closure <= due + 1e-9) & ~short,
        "late_days": np.where(closed, np.maximum(closure - due, 0.0), np.nan),
        "delivered_t": np.concatenate([r.delivered_t for r in records]) if records
        else np.zeros(0),
        "lost_t": lost_t,
        "delivered_pax": np.concatenate([r.delivered_pax for r in records]) if records
        else np.zeros(0),
        "lost_pax": lost_pax,
        "short": short,
    })
    totals = pd.DataFrame({
        "run": [r.run for r in records],
        "closure_day": [float(r.closure.max()) if n_mv and np.isfinite(r.closure).all()
                        else np.nan for r in records],
        "events": [r.events for r in records],
        "trips": [r.trips for r in records],
        "carriers_lost": [float(r.carriers_lost.sum()) for r in records],
        "cargo_lost_t": [float(r.lost_t.sum()) for r in records],
        "stockout_node_days": [len(node_days(r)) for r in records],
        "stockout_t": [float(sum(x[2] for x in r.stockouts)) for r in records],
        **{f"medical_{k}": [r.medical.get(k, np.nan) for r in records]
           for k in RUN_TOTALS_MEDICAL if model.medical is not None},
        **{f"peak_beds_{k}": [r.peak_beds.get(k, np.nan) for r in records]
           for k in (model.medical.roles if model.medical is not None else ())},
        # the other per-run medical figures of the summary, after the columns above
        # (results-format.md: added, none moved): a share or the time to surgery is NaN
        # in a run with no case to judge, as the summary's mean skips it
        **{f"medical_{k}": [medical_value(r, k) for r in records]
           for k in MEDICAL if k not in RUN_TOTALS_MEDICAL and model.medical is not None},
    })
    mcs = model.consignments
    # c < 0: a carrier lost empty (-1) or a medical carrier with its patients
    # (LOST_PATIENTS: cargo class "patients", one person each)
    loss_rows = [(r.run, day, model.fleet_ids[f], model.arc_link[a],
                  model.mv_ids[mcs[c].movement] if c >= 0 else "",
                  mcs[c].key if c >= 0 else "patients" if c == LOST_PATIENTS else "", units,
                  units * mcs[c].unit_t if c >= 0 else 0.0,
                  units * mcs[c].unit_pax if c >= 0 else float(units) if c == LOST_PATIENTS
                  else 0.0)
                 for r in records for day, f, a, c, units in r.losses]
    losses = pd.DataFrame(loss_rows, columns=["run", "day", "fleet", "link", "movement",
                                              "cargo_class", "units", "t", "pax"])
    # one row per run, node, day and supply class (rows of one class summed)
    stock: dict[tuple[int, int, int, str], float] = {}
    for r in records:
        for node, day, short_t, row in r.stockouts:
            key = (r.run, node, day, model.sup_class[row] if row < len(model.sup_class)
                   else "")
            stock[key] = stock.get(key, 0.0) + short_t
    stock_rows = [(run_no, model.node_ids[node], day, short_t, cls)
                  for (run_no, node, day, cls), short_t in stock.items()]
    stockouts = pd.DataFrame(stock_rows, columns=["run", "node", "day", "short_t", "class"])
    arr_rows = [(r.run, model.mv_ids[m], day, share) for r in records
                for m, day, share in r.arrivals]
    arrivals = pd.DataFrame(arr_rows, columns=["run", "movement", "day", "share"])
    tables = {"runs": runs, "run_totals": totals, "losses": losses, "stockouts": stockouts,
              "arrivals": arrivals}
    timelines = [pd.DataFrame({"run": r.run, **r.timeline}) for r in records
                 if r.timeline is not None]
    if timelines:
        tables["medical"] = pd.concat(timelines, ignore_index=True)
    return tables
