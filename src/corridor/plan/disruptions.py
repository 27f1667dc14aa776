"""Scheduled disruptions as capacity factors per arc / node and planner step.

docs/model.md, "Disruptions": a window multiplies capacity by ``capacity_factor``
between ``start_day`` and ``end_day``; a standing threat (neither window nor rate)
applies its factor all horizon. A step partly inside a window gets the time-weighted
factor. Random outage processes are the simulator's: the planner plans for the
schedule it is given and lists them as not planned. ``loss_prob`` is kept per arc so
the plan can report the losses it should expect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from corridor.network.graph import MODE_CODE, Network
from corridor.plan.timegrid import TimeGrid
from corridor.scenario import Scenario

CLOSED = 1e-9  # a factor at or below this closes the arc for the step


@dataclass(frozen=True)
class Factors:
    """Capacity multipliers; ``None`` means 1 everywhere (no scheduled disruption)."""

    arc: NDArray[np.float64] | None  # (arcs, steps)
    node: NDArray[np.float64] | None  # (nodes, steps)
    arc_loss: NDArray[np.float64]  # (arcs,) loss probability per transit
    random_ids: tuple[str, ...]  # random outage processes the plan does not model

    def arcs_at(self, arcs: NDArray[np.int64], steps: NDArray[np.int64]) -> NDArray[np.float64]:
        if self.arc is None:
            return np.ones(len(arcs))
        return self.arc[arcs, np.clip(steps, 0, self.arc.shape[1] - 1)]

    def nodes_at(self, nodes: NDArray[np.int64], steps: NDArray[np.int64]
                 ) -> NDArray[np.float64]:
        if self.node is None:
            return np.ones(len(nodes))
        return self.node[nodes, np.clip(steps, 0, self.node.shape[1] - 1)]


def _step_weights(grid: TimeGrid, start_day: float, end_day: float) -> NDArray[np.float64]:
    """Share of each step inside [start_day, end_day)."""
    t0 = np.arange(grid.steps) * grid.step_h
    t1 = t0 + grid.step_h
    lo, hi = start_day * 24.0, end_day * 24.0
    return np.clip((np.minimum(t1, hi) - np.maximum(t0, lo)) / grid.step_h, 0.0, 1.0)


def _targets(net: Network, scenario: Scenario, target: str, kind: str
             ) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(arcs, nodes) a disruption target touches."""
    arcs = np.zeros(len(net.arcs), dtype=bool)
    nodes = np.zeros(len(net.nodes), dtype=bool)
    a = net.arcs
    if kind == "link" or (not kind and target in net.link_index):
        arcs = a.link == net.link_index[target]
    elif kind == "node" or (not kind and target in net.nodes.index):
        v = net.nodes.index[target]
        nodes[v] = True
        arcs = (a.src == v) | (a.dst == v)
    elif target.startswith("mode:"):
        arcs = a.mode == MODE_CODE.get(target[5:], -1)
    elif target.startswith("country:"):
        nodes = net.nodes.country == target[8:]
        arcs = nodes[a.src] | nodes[a.dst]
    return np.asarray(arcs, dtype=bool), np.asarray(nodes, dtype=bool)


def capacity_factors(scenario: Scenario, net: Network, grid: TimeGrid) -> Factors:
    d = scenario.disruptions
    arc_f: NDArray[np.float64] | None = None
    node_f: NDArray[np.float64] | None = None
    loss = np.zeros(len(net.arcs))
    random_ids: list[str] = []
    for did, r in d.iterrows():
        kind = str(r.get("kind", ""))
        tk = r.get("target_kind", "")
        tkind = tk if isinstance(tk, str) else ""
        arcs, nodes = _targets(net, scenario, str(r["target"]), tkind)
        lp = float(r.get("loss_prob", 0.0) or 0.0)
        if lp > 0:
            loss[arcs] = 1.0 - (1.0 - loss[arcs]) * (1.0 - lp)
        if kind == "random":
            random_ids.append(str(did))
            continue
        cf = float(r["capacity_factor"]) if not pd.isna(r["capacity_factor"]) else 1.0
        if kind == "standing":
            w = np.ones(grid.steps)
        else:
            w = _step_weights(grid, float(r["start_day"]), float(r["end_day"]))
        if cf >= 1.0 or not w.any():
            continue
        factor = 1.0 - w * (1.0 - cf)  # time-weighted within a step
        if arcs.any():
            if arc_f is None:
                arc_f = np.ones((len(net.arcs), grid.steps))
            arc_f[arcs] *= factor
        if nodes.any():
            if node_f is None:
                node_f = np.ones((len(net.nodes), grid.steps))
            node_f[nodes] *= factor
    return Factors(arc_f, node_f, loss, tuple(random_ids))
