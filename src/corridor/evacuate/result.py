"""An evacuation result: ``summary.json``, ``routes.parquet`` and ``utilisation.parquet``."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corridor.evacuate.network import EvacNetwork
from corridor.evacuate.solution import Group, Solution
from corridor.results import FORMAT, replace_folder, write_json, write_parquet

# Column types of the two tables, the same whether or not they have rows (an empty
# column of no declared type would be written to parquet as type null).
ROUTE_DTYPES = {"group": "int64", "origin": "str", "shelter": "str", "size": "int64",
                "route": "str", "links": "str", "departure_h": "float64",
                "arrival_h": "float64"}
UTIL_DTYPES = {"element": "str", "id": "str", "from": "str", "to": "str",
               "time_h": "float64", "load": "int64", "capacity": "float64",
               "utilisation": "float64"}
ROUTE_COLUMNS = list(ROUTE_DTYPES)
UTIL_COLUMNS = list(UTIL_DTYPES)


def hours(v: float | None) -> str:
    """6.67 h (6:40), as ``corridor evacuate`` and the report print it; "never" for None."""
    if v is None:
        return "never"
    h, m = divmod(round(v * 60), 60)
    return f"{v:.2f} h ({h}:{m:02d})"


def short_hours(v: float) -> str:
    """2.33 h, 24 h, 1.17 h: hours to two decimals at most, for running text."""
    return f"{round(v, 2):g} h"


def horizon_note(used_h: float, given_h: float | None, step_h: float) -> str:
    """Where whole steps cut the scenario's horizon (``given_h``) to ``used_h``: "the end
    of the last whole 10-min step in the scenario's 2.4 h"; "" where they do not."""
    if given_h is None or abs(given_h - used_h) <= 1e-6 * max(1.0, given_h):
        return ""
    step = f"{round(step_h * 60, 2):g}-min step" if step_h > 0 else "step"
    if used_h > given_h:  # shorter than one step: the model keeps one
        return f"one {step}: the scenario's {short_hours(given_h)} is less"
    return f"the end of the last whole {step} in the scenario's {short_hours(given_h)}"


def horizon_text(net: EvacNetwork) -> str:
    """The horizon as the model uses it, and why where whole steps cut the scenario's:
    "24 h", or "2.33 h, the end of the last whole 10-min step in the scenario's 2.4 h"."""
    used = net.horizon * net.step_h
    note = horizon_note(used, net.horizon_given_h, net.step_h)
    return short_hours(used) + (f", {note}" if note else "")


def _typed(rows: list[Any], dtypes: dict[str, str]) -> pd.DataFrame:
    """A frame of ``rows`` (tuples or mappings) with the columns and types of ``dtypes``."""
    return pd.DataFrame(rows, columns=list(dtypes)).astype(dtypes)

@dataclass(frozen=True)
class EvacuationResult:
    """What ``evacuate`` returns: the summary (``summary.json``) and two tables."""

    summary: dict[str, Any]
    routes: pd.DataFrame
    utilisation: pd.DataFrame

    def write(self, folder: str | Path) -> Path:
        """Write the result folder as a whole, replacing any earlier result there
        (:func:`corridor.results.replace_folder`; raises ``ResultFolderError`` for a
        folder that is not a result)."""
        with replace_folder(folder) as stage:
            write_parquet(stage / "routes.parquet", self.routes)
            write_parquet(stage / "utilisation.parquet", self.utilisation)
            write_json(stage / "summary.json", self.summary)
        return Path(folder)

    @property
    def egress_h(self) -> float | None:
        v = self.summary.get("egress_h")
        return None if v is None else float(v)


def _hours(net: EvacNetwork, step: int) -> float:
    """End of ``step`` in hours (arrivals), 0 for people sheltered in place (-1)."""
    return 0.0 if step < 0 else round((step + 1) * net.step_h, 9)


def routes_table(net: EvacNetwork, groups: list[Group]) -> pd.DataFrame:
    rows = []
    for g in groups:
        nodes = [net.node_ids[g.source]] + [net.node_ids[int(net.head[a])] for a in g.arcs]
        rows.append({
            "origin": net.node_ids[g.source],
            "shelter": net.node_ids[g.shelter],
            "size": int(g.size),
            "route": ";".join(nodes),
            "links": ";".join(net.link_ids[int(net.link[a])] for a in g.arcs),
            "departure_h": round(g.departs[0] * net.step_h, 9) if g.arcs else 0.0,
            "arrival_h": _hours(net, g.arrival_step(net)),
        })
    frame = _typed(rows, {k: v for k, v in ROUTE_DTYPES.items() if k != "group"})
    frame = frame.sort_values(["arrival_h", "departure_h", "origin", "shelter"], kind="stable")
    frame.insert(0, "group", np.arange(1, len(frame) + 1, dtype=np.int64))
    return frame.reset_index(drop=True).astype(ROUTE_DTYPES)


def utilisation_table(net: EvacNetwork, groups: list[Group]) -> pd.DataFrame:
    """People entering each link direction per step, held at nodes, sheltered so far."""
    arc_load: dict[tuple[int, int], int] = defaultdict(int)
    hold: dict[tuple[int, int], int] = defaultdict(int)
    intake: dict[tuple[int, int], int] = defaultdict(int)
    for g in groups:
        intake[(g.shelter, g.arrival_step(net))] += g.size
        node, ready = g.source, 0
        for i, (a, t) in enumerate(zip(g.arcs, g.departs, strict=True)):
            if i > 0:
                for s in range(ready, t):
                    hold[(node, s)] += g.size
            arc_load[(a, t)] += g.size
            node, ready = int(net.head[a]), t + int(net.transit[a])
    rows: list[tuple[Any, ...]] = []
    for (a, t), load in sorted(arc_load.items()):
        cap = net.cap(a, t)
        rows.append(("link", net.link_ids[int(net.link[a])], net.node_ids[int(net.tail[a])],
                     net.node_ids[int(net.head[a])], t * net.step_h, load, cap))
    for (v, t), load in sorted(hold.items()):
        rows.append(("node", net.node_ids[v], "", "", (t + 1) * net.step_h, load,
                     float(net.hold_cap[v])))
    for z in sorted({z for z, _ in intake}):
        total = 0
        for t in sorted(t for zz, t in intake if zz == z):
            total += intake[(z, t)]
            rows.append(("shelter", net.node_ids[z], "", "", _hours(net, t), total,
                         float(net.shelter_total[z])))
    frame = _typed(rows, {k: v for k, v in UTIL_DTYPES.items() if k != "utilisation"})
    frame["time_h"] = frame["time_h"].round(9)
    limit = frame["capacity"].replace(math.inf, np.nan)
    frame["capacity"] = limit
    frame["utilisation"] = frame["load"] / limit
    return frame.astype(UTIL_DTYPES)


def summary(
    net: EvacNetwork,
    solution: Solution,
    *,
    heuristic: Solution | None,
    bounds: dict[str, int],
    options: dict[str, Any],
    seconds: float,
) -> dict[str, Any]:
    """The ``summary.json`` mapping (corridor-result/1, kind ``evacuation``)."""
    groups = solution.groups
    arrived = sum(g.size for g in groups)
    evacuees = net.evacuees
    times = np.array([_hours(net, g.arrival_step(net)) for g in groups])
    sizes = np.array([g.size for g in groups], dtype=float)
    # None when nobody reaches a shelter: no arrival time to state (not 0 h)
    last = round(float(times.max()), 9) if arrived > 0 else None
    mean = round(float((times * sizes).sum() / sizes.sum()), 9) if arrived > 0 else None
    per_shelter: dict[int, int] = defaultdict(int)
    per_origin: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for g, t in zip(groups, times.tolist(), strict=True):
        per_shelter[g.shelter] += g.size
        per_origin[g.source].append((t, g.size))
    shelters = [
        {"id": net.node_ids[z], "arrived": int(per_shelter.get(z, 0)),
         "capacity": int(net.shelter_total[z]) if math.isfinite(net.shelter_total[z]) else None}
        for z in np.flatnonzero(net.is_shelter).tolist()
    ]
    origins = []
    for i in np.flatnonzero(net.population > 0).tolist():
        got = per_origin.get(i, [])
        n = sum(s for _, s in got)
        origins.append({
            "id": net.node_ids[i],
            "population": int(net.population[i]),
            "arrived": int(n),
            "last_arrival_h": max((t for t, _ in got), default=None),
            "mean_evacuation_h": round(sum(t * s for t, s in got) / n, 9) if n else None,
        })
    complete = arrived == evacuees
    out: dict[str, Any] = {
        "format": FORMAT,
        "kind": "evacuation",
        "scenario": net.name,
        "method": solution.method,
        "status": solution.status,
        "evacuees": int(evacuees),
        "arrived": int(arrived),
        "egress_h": last if complete else None,
        "mean_evacuation_h": mean,
        "lower_bound_h": round(solution.lower_bound * net.step_h, 9),
        "shelters": shelters,
        "solve_seconds": round(seconds, 3),
        "last_arrival_h": last,
        "sheltered_in_place": int(net.sheltered_in_place.sum()),
        "stranded": int(evacuees - arrived),
        "unmet": [
            {"node": net.node_ids[i], "people": int(n), "reason": solution.stats.get(
                "stranded_reason", {}).get(i, f"not in a shelter within the horizon "
                                               f"({horizon_text(net)})")}
            for i, n in sorted(solution.stranded.items())
        ],
        "origins": origins,
        "bounds_h": {k: round(v * net.step_h, 9) for k, v in bounds.items()},
        "options": options,
        "horizon_h": round(net.horizon * net.step_h, 9),
        "scenario_horizon_h": None if net.horizon_given_h is None
        else round(net.horizon_given_h, 9),
        "model": {k: v for k, v in solution.stats.items() if k != "stranded_reason"},
    }
    if heuristic is not None and heuristic is not solution:
        h_arr = heuristic.arrived
        out["heuristic"] = {
            "egress_h": round(heuristic.egress_steps(net) * net.step_h, 9)
            if h_arr == evacuees else None,
            "arrived": int(h_arr),
        }
    if net.ignored_disruptions:
        out["ignored_disruptions"] = net.ignored_disruptions
    return out
