"""What binds, and what one more unit of it is worth.

Duals of the capacity rows (see :mod:`corridor.plan.engine` for which LP each comes
from) are summed per domain object — fleet, link, node, depot — into the predicted
change of the objective (priority-weighted days late, plus the small earliest-arrival
term) for one more unit (:mod:`corridor.plan.changes`). The best few are verified by
re-solving with the unit added; both numbers are reported, and the explanation is
written from the re-solve: which movement closes how much earlier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from corridor.network.graph import MODES
from corridor.plan import changes
from corridor.plan.changes import FAMILY_KIND, Change
from corridor.plan.engine import Duals
from corridor.plan.extract import chunks_of
from corridor.plan.model import PlanModel

F64 = NDArray[np.float64]
MIN_VALUE = 1e-4  # predicted improvements below this are noise
KIND_OF = {"fleet": "fleet", "link": "link", "link_flow": "link", "handling": "node",
           "rail_visits": "node", "sea_visits": "node", "air_visits": "node",
           "transshipment": "node", "depot": "depot"}


@dataclass
class Candidate:
    change: Change
    id: str
    phrase: str  # "one more low-loader in fleet het (12 → 13)", "10 % more handling at ..."
    capacity: str
    predicted: float  # predicted fall of the objective for one more unit (>0: better)
    utilization: float | None = None
    verified: float | None = None  # actual fall when re-solved
    verified_by: str = ""  # "mip": the whole plan re-solved; "lp": its LP relaxation
    closure_change: dict[str, float] = field(default_factory=dict)  # movement -> days earlier
    newly_closed: dict[str, float] = field(default_factory=dict)  # movement -> closure day
    before_after: dict[str, tuple[float, float]] = field(default_factory=dict)
    explanation: str = ""

    def to_summary(self) -> dict[str, Any]:
        return {
            "kind": KIND_OF[self.change.kind],
            "id": self.id,
            "resource": self.change.kind,
            "utilization": None if self.utilization is None else round(self.utilization, 3),
            "shadow_price": round(self.predicted, 4),
            "capacity": self.capacity,
            "predicted_days": round(self.predicted, 4),
            "verified_days": None if self.verified is None else round(self.verified, 4),
            "verified_by": self.verified_by or None,
            "closure_change_days": {k: round(v, 3) for k, v in self.closure_change.items()},
            "explanation": self.explanation,
        }


def _num(v: Any) -> float:
    return float(v)


# A road fleet is a low-loader (heavy equipment transporter) only when its data says it
# takes heavy vehicles: a stated max_item_mlc of at least MLC 40 (tracked armour and
# heavy engineer plant) and the capacity_t to lift such an item (about 30 t at MLC 40).
# max_item_mlc defaults to unlimited, which says nothing about the carrier, and ids or
# names ("het", "lorries") are not data.
LOW_LOADER_MLC = 40.0
LOW_LOADER_T = 30.0


def carrier_noun(pm: PlanModel, f: int) -> str:
    """What one carrier of fleet ``f`` is called, from its mode and capacities only."""
    fl = pm.net.fleets
    mode = MODES[int(fl.mode[f])]
    litters, pax, t = fl.capacity_litters[f], fl.capacity_pax[f], fl.capacity_t[f]
    if mode == "road":
        if litters > 0:
            return "ambulance"
        if t <= 0 and pax > 0:
            return "bus"
        rated = float(fl.max_item_mlc[f])
        if np.isfinite(rated) and rated >= LOW_LOADER_MLC and t >= LOW_LOADER_T:
            return "low-loader"
        return "truck"
    if mode == "rail":
        if litters > 0:
            return "hospital train"
        return "troop train" if t <= 0 and pax > 0 else "train"
    if mode == "sea":
        return "ship"
    if mode == "air":
        return "aircraft"
    return "barge"


def _describe(pm: PlanModel, ch: Change) -> tuple[str, str, str]:
    """(id, noun for 'one more ...', capacity) of a change's target."""
    net, nodes = pm.net, pm.scenario.nodes
    if ch.kind == "fleet":
        fid = str(net.fleets.ids[ch.target])
        n = int(net.fleets.count[ch.target])
        return fid, f"one more {carrier_noun(pm, ch.target)} in fleet {fid} ({n} → {n + 1})", \
            f"{n} carrier{'' if n == 1 else 's'}"
    if ch.kind in ("link", "link_flow"):
        lid = str(net.link_ids[ch.target])
        row = pm.scenario.links.loc[lid]
        ends = f"{row['from']}–{row['to']}, {row['mode']}"
        if ch.kind == "link":
            cap = _num(row["capacity_per_day"])
            return lid, f"one more departure per day on link {lid} ({ends}; {cap:g} → " \
                f"{cap + 1:g})", f"{cap:g} departures/day"
        cap = _num(row["flow_per_h"])
        return lid, f"10 % more road-march flow on link {lid} ({ends}; {cap:g} → " \
            f"{cap * 1.1:g} vehicles/h)", f"{cap:g} vehicles/h"
    nid = str(net.nodes.ids[ch.target])
    name = str(nodes.loc[nid, "name"])
    if ch.kind == "handling":
        cap = _num(nodes.loc[nid, "handling_t_per_day"])
        return nid, f"10 % more handling at {name} ({cap:,.0f} → {cap * 1.1:,.0f} t/day)", \
            f"{cap:,.0f} t/day"
    if ch.kind == "transshipment":
        cap = _num(nodes.loc[nid, "transship_t_per_day"])
        return nid, f"10 % more transshipment at {name} ({cap:,.0f} → {cap * 1.1:,.0f} " \
            "t/day)", f"{cap:,.0f} t/day"
    if ch.kind == "depot":
        cap = _num(nodes.loc[nid, "storage_t"])
        return nid, f"10 % more stock at depot {name} ({cap:,.0f} → {cap * 1.1:,.0f} t)", \
            f"{cap:,.0f} t"
    mode = ch.kind.split("_")[0]
    cap = _num(nodes.loc[nid, f"{mode}_per_day"])
    what = {"rail": "train", "sea": "ship", "air": "aircraft"}[mode]
    return nid, f"one more {what} visit per day at {name} ({cap:g} → {cap + 1:g})", \
        f"{cap:g} {what} visits/day"


def _target_of(pm: PlanModel, family: str) -> NDArray[np.int64]:
    meta = pm.meta[family]
    if family == "fleet":
        return pm.st.pool_fleet[meta["pool"]]
    if "arc" in meta:
        return pm.net.arcs.link[meta["arc"]].astype(np.int64)
    return meta["node"].astype(np.int64)


def candidates(duals: list[Duals]) -> list[Candidate]:
    """Every domain object with a binding row, with its predicted value of one more."""
    out: list[Candidate] = []
    for d in duals:
        pm = d.pm
        for family, vals in d.values.items():
            kind = FAMILY_KIND.get(family)
            if kind is None or family not in pm.meta:
                continue
            targets = _target_of(pm, family)
            for tgt in np.unique(targets[np.abs(vals) > 1e-9]):
                ch = Change(kind, int(tgt))
                rows = changes.rows_of(pm, ch)
                delta = changes.unit_rhs_delta(pm, ch, rows)
                gain = -float((vals[rows] * delta).sum())  # a dual prices d(objective)/d(rhs)
                if gain <= MIN_VALUE:
                    continue
                cid, phrase, cap = _describe(pm, ch)
                out.append(Candidate(ch, cid, phrase, cap, gain))
    out.sort(key=lambda c: -c.predicted)
    return out


def utilization(pm: PlanModel, trips: F64, x: F64, ch: Change, until_step: int) -> float | None:
    """Share of the resource the plan uses from day 0 to ``until_step``."""
    st, net = pm.st, pm.net
    if ch.kind == "fleet":
        on = np.flatnonzero((st.run_pool[st.y_run] >= 0)
                            & (st.run_fleet[st.y_run] == ch.target) & (trips > 0))
        run = st.y_run[on]
        held = np.where(st.run_per[run] > 1, st.g, st.run_occ[run])  # shuttles: their step
        busy = (trips[on] / st.run_per[run]
                * np.minimum(held, np.maximum(until_step - st.y_t[on], 0))).sum()
        pools = np.flatnonzero(st.pool_fleet == ch.target)
        pl = pm.places
        if pl is not None and pl.n_empty and len(x):  # carriers driving empty are busy too
            ours = np.isin(pl.empty_pool, pools)
            t0 = pl.empty_k[ours] * st.g
            held_e = np.minimum(pl.empty_lag[ours] * st.g, np.maximum(until_step - t0, 0))
            busy += float((np.maximum(x[pm.empty[ours]], 0.0) * held_e).sum())
        start = int(st.pool_avail[pools[0]]) if len(pools) else 0
        cap = float(net.fleets.count[ch.target]) * max(until_step - start, 1)
        return float(busy / cap) if cap > 0 else None
    fam = ch.family()
    if fam in pm.trip_rows:
        rows, yi, rhs = pm.trip_rows[fam]
        mine = changes.day_rows(pm, fam, changes.rows_of(pm, ch))
        t = pm.meta[fam]["t"]
        mine = mine[t[mine] < until_step]
        if not len(mine):
            return None
        sel = np.isin(rows, mine)
        use = trips[yi[sel]].sum()
        cap = rhs[mine].sum()
        return float(use / cap) if cap > 0 else None
    fam_obj = pm.lp.families.get(fam)
    if fam_obj is None:
        return None
    mine = changes.rows_of(pm, ch)
    if "t" in pm.meta[fam]:
        mine = mine[pm.meta[fam]["t"][mine] < until_step]
    if not len(mine):
        return None
    return _row_use(pm, fam, mine, x)


def _row_use(pm: PlanModel, fam: str, rows: NDArray[np.int64], values: F64) -> float | None:
    f = pm.lp.families[fam]
    cap = f.rhs[rows].sum()
    act = pm.row_activity.get(fam)
    if act is None or cap <= 0:
        return None
    return float(act[rows].sum() / cap)


def closure_changes(base: pd.DataFrame, new: pd.DataFrame
                    ) -> tuple[dict[str, float], dict[str, float], dict[str, tuple[float, float]]]:
    """Days earlier per movement, movements that close only with the change, and the
    closure days before and after for every movement that moved. A supply row is
    compared chunk by chunk, under the chunk ids the summary's ``sustainment`` lists
    (a chunk closes no earlier than its due day: ``extract.supply_chunks``)."""
    earlier: dict[str, float] = {}
    closed: dict[str, float] = {}
    both: dict[str, tuple[float, float]] = {}
    for gid, b, n in _entries(base, new):
        if np.isnan(b) and not np.isnan(n):
            closed[gid] = n
        elif not np.isnan(b) and not np.isnan(n) and abs(b - n) > 1e-6:
            earlier[gid] = b - n
            both[gid] = (b, n)
    return earlier, closed, both


def _entries(base: pd.DataFrame, new: pd.DataFrame) -> list[tuple[str, float, float]]:
    """(summary entry id, closure before, closure after): movements, and supply chunks."""
    out = []
    for gid in base.index:
        before = chunks_of(base, str(gid))
        if before:
            after = {ch["id"]: ch["closure_day"] for ch in chunks_of(new, str(gid))}
            for ch in before:
                b, n = ch["closure_day"], after.get(ch["id"])
                out.append((str(ch["id"]), np.nan if b is None else float(b),
                            np.nan if n is None else float(n)))
        else:
            out.append((str(gid), _num(base.at[gid, "closure_day"]),
                        _num(new.at[gid, "closure_day"])))
    return out


def explain(c: Candidate) -> str:
    one = c.phrase
    if c.verified is None:
        return (f"{one} is worth about {c.predicted:.2f} days of priority-weighted "
                "lateness (LP estimate, not re-solved)")
    how = "re-solved" if c.verified_by == "mip" else "LP relaxation re-solved"
    if max(abs(c.verified), abs(c.predicted)) >= 0.005:
        value = (f"priority-weighted days late {-c.verified:+.2f} ({how}; dual estimate "
                 f"{-c.predicted:+.2f})")
    else:
        value = f"objective {-c.verified:+.2g} ({how}; dual estimate {-c.predicted:+.2g})"
    # Days are quoted only where the comparison is with the plan itself (a MIP re-solve):
    # then "day b" is the closure the summary lists for that entry. A rounded plan is
    # compared relaxation to relaxation, whose closure days are not the plan's: only
    # the change is quoted, said to be the relaxation's.
    plan_days = c.verified_by == "mip"
    if c.newly_closed:
        gid, day = max(c.newly_closed.items(), key=lambda kv: -kv[1])
        if plan_days:
            return f"{one} lets {gid} close by day {day:.2f}; {value}"
        return f"{one} lets {gid} close within the horizon in the LP relaxation; {value}"
    better = {k: v for k, v in c.closure_change.items() if v > 0}
    if better:
        gid, days = max(better.items(), key=lambda kv: kv[1])
        b, n = c.before_after[gid]
        more = f", and {len(better) - 1} other movement(s) earlier" if len(better) > 1 else ""
        when = f"day {b:.2f} → {n:.2f}" if plan_days else "in the LP relaxation"
        return (f"{one} brings {gid}'s closure {days:.2f} days earlier ({when}){more}; "
                f"{value}")
    if c.verified > MIN_VALUE:
        return f"{one} moves no closure but cargo arrives earlier; {value}"
    return (f"{one} changes nothing with whole trips ({value}): another limit binds "
            "right behind it")
