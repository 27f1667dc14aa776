"""TEST FIXTURES ONLY: result folders fabricated from the results-format spec
(shared/spec/results-format.md) for a scenario, so the report can be tested
without running the planner or the simulator. Nothing here is a model of
anything: times and loads are made up, deterministic, and consistent with the
scenario's ids.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

import numpy as np
import pandas as pd

from corridor.results.folder import FORMAT, write_json, write_parquet
from corridor.scenario import Scenario


def _path(scenario: Scenario, a: str, b: str) -> list[tuple[str, str, str]]:
    """Links (id, from, to) on a fewest-hops path a -> b, ignoring modes."""
    adj: dict[str, list[tuple[str, str]]] = {}
    for lid, r in scenario.links.iterrows():
        adj.setdefault(r["from"], []).append((str(lid), r["to"]))
        adj.setdefault(r["to"], []).append((str(lid), r["from"]))
    prev: dict[str, tuple[str, str]] = {a: ("", "")}
    q = deque([a])
    while q:
        n = q.popleft()
        for lid, m in adj.get(n, []):
            if m not in prev:
                prev[m] = (lid, n)
                q.append(m)
    out = []
    n = b
    while n != a:
        lid, p = prev[n]
        out.append((lid, p, n))
        n = p
    return out[::-1]


def fabricate_plan(scenario: Scenario, folder: Path, late: str | None = None) -> dict:
    """A plan folder: each movement delivered in three waves along its path."""
    flows, arrivals, movements = [], [], []
    carriers = scenario.carriers
    for mid, m in scenario.movements.iterrows():
        t = float(m["ready_day"])
        path = _path(scenario, m["origin"], m["destination"])
        for lid, a, b in path:
            link = scenario.links.loc[lid]
            of_mode = carriers[carriers["mode"] == link["mode"]]
            carrier = str(of_mode.index[0]) if len(of_mode) else "self"
            hours = float(link["distance_km"]) / 40.0
            for wave in range(3):
                dep = t + wave * 1.0
                flows.append(dict(movement=mid, cargo_class="bulk", link=lid, **{"from": a},
                                  to=b, mode=link["mode"], carrier=carrier, depart_day=dep,
                                  arrive_day=dep + hours / 24, trips=3.0,
                                  t=float(m["mass_t"]) / 3, pax=float(m["pax"]) / 3,
                                  m2=float(m["footprint_m2"]) / 3, items=10.0))
            t += hours / 24 + 0.25
        closure = t + 2.0 + (6.0 if mid == late else 0.0)
        for wave, share in enumerate((1 / 3, 2 / 3, 1.0)):
            arrivals.append(dict(movement=mid, day=closure - 2.0 + wave, share=share))
        movements.append(dict(id=mid, due_day=float(m["due_day"]), closure_day=closure,
                              late_days=max(0.0, closure - float(m["due_day"]))))
    links = list(scenario.links.index)
    summary = {
        "format": FORMAT, "kind": "plan", "scenario": scenario.name,
        "scenario_source": str(scenario.source), "status": "optimal",
        "closure_day": max(x["closure_day"] for x in movements),
        "movements": movements,
        "bottlenecks": [
            {"kind": "link", "id": links[min(5, len(links) - 1)], "utilization": 1.0,
             "shadow_price": 2.5,
             "explanation": "one more train path a day brings 1ABCT closure 1.5 days earlier"},
            {"kind": "fleet", "id": str(carriers.index[0]), "utilization": 0.97,
             "shadow_price": 0.8, "explanation": "one more low-loader brings closure 0.4 days "
                                                 "earlier"},
            {"kind": "node", "id": str(scenario.nodes.index[len(scenario.nodes) // 2]),
             "utilization": 0.91, "shadow_price": 0.3,
             "explanation": "transshipment capacity binds on days 9-12"},
        ],
        "unmet": [],
        "model": {"variables": 1000, "constraints": 2000, "step_h": scenario.step_h},
        "solve_seconds": 1.0,
    }
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / "summary.json", summary)
    write_parquet(folder / "flows.parquet", pd.DataFrame(flows))
    write_parquet(folder / "arrivals.parquet", pd.DataFrame(arrivals))
    return summary


def fabricate_simulation(scenario: Scenario, plan: dict, folder: Path, runs: int = 60,
                         seed: int = 1, with_arrivals: bool = True) -> dict:
    """A simulation folder: closure = plan closure + a gamma delay per run."""
    rng = np.random.default_rng(seed)
    rows, arr = [], []
    for mv in plan["movements"]:
        delay = rng.gamma(2.0, 1.0, size=runs)
        for r in range(runs):
            c = mv["closure_day"] + delay[r] - 1.0
            lost = float(rng.choice([0.0, 0.0, 0.0, 60.0]))
            rows.append(dict(run=r, movement=mv["id"], closure_day=c,
                             on_time=c <= mv["due_day"], lost_t=lost))
            if with_arrivals:
                for wave, share in enumerate((0.3, 0.7, 1.0)):
                    arr.append(dict(run=r, movement=mv["id"], day=c - 2 + wave, share=share))
    frame = pd.DataFrame(rows)

    def stats(x: pd.Series) -> dict:
        return {"mean": float(x.mean()), "p10": float(x.quantile(0.1)),
                "p50": float(x.quantile(0.5)), "p90": float(x.quantile(0.9))}

    per_run = frame.groupby("run")["closure_day"].max()
    days = np.arange(0, scenario.horizon_days, 0.5)
    med = []
    for r in range(min(runs, 20)):
        for d in days:
            load = max(0.0, 40 * np.sin(min(d, 30) / 30 * np.pi)) + rng.normal(0, 2)
            med.append(dict(run=r, day=d, patients=max(load, 0.0),
                            beds_role2=min(20.0, max(load * 0.4, 0.0)),
                            beds_role3=max(load * 1.5, 0.0)))
    summary = {
        "format": FORMAT, "kind": "simulation", "scenario": scenario.name,
        "scenario_source": str(scenario.source), "runs": runs, "seed": seed,
        "closure_day": stats(per_run),
        "movements": [
            {"id": mv["id"], "due_day": mv["due_day"],
             "closure_day": stats(frame.loc[frame.movement == mv["id"], "closure_day"]),
             "p_on_time": float(frame.loc[frame.movement == mv["id"], "on_time"].mean())}
            for mv in plan["movements"]],
        "losses": {"carriers": {"mean": 0.4, "p90": 1.0},
                   "cargo_t": stats(frame.groupby("run")["lost_t"].sum())},
        "medical": {"casualties": {"mean": 812.0}, "share_surgery_within_limit": {"mean": 0.83},
                    "died_of_wounds": {"mean": 14.2},
                    "peak_beds": {"role2": {"mean": 19.0}, "role3": {"mean": 61.0}}},
        "events": 12345, "wall_seconds": 3.2,
    }
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / "summary.json", summary)
    write_parquet(folder / "runs.parquet", frame)
    if with_arrivals:
        write_parquet(folder / "arrivals.parquet", pd.DataFrame(arr))
    write_parquet(folder / "medical.parquet", pd.DataFrame(med))
    return summary
