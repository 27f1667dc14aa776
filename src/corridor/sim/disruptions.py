# cython: annotation_typing=False
"""Disruptions of ``disruptions.csv``: which arcs and nodes each row hits, and, per run,
the outage windows drawn from the run's seed.

A row is a scheduled window, a random outage process (starts at ``rate_per_day``,
lasts Exp(``mean_duration_days``)) or a standing threat over the whole horizon.
While a row is active it multiplies the capacity of its targets by
``capacity_factor`` and loses each carrier transit with ``loss_prob``. Rows that
overlap multiply their factors and combine their loss probabilities
(1 - Π(1 - p)).

Arcs hit by the same set of rows share one piecewise-constant :class:`Profile`
per run, so ``mode:road`` over 10,000 arcs costs one profile, not 10,000.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from corridor.network.graph import MODE_CODE, Network
from corridor.sim.search import after


@dataclass(frozen=True)
class DisruptionRows:
    """The static part: rows and the arc / node groups they hit."""

    ids: tuple[str, ...]
    kind: tuple[str, ...]  # window | random | standing
    start: NDArray[np.float64]
    end: NDArray[np.float64]
    rate: NDArray[np.float64]
    mean_days: NDArray[np.float64]
    factor: NDArray[np.float64]
    loss: NDArray[np.float64]
    group_rows: tuple[tuple[int, ...], ...]  # group -> rows that hit it
    arc_group: NDArray[np.int32]  # -1 = untouched
    node_group: NDArray[np.int32]


def compile_disruptions(frame: pd.DataFrame, net: Network) -> DisruptionRows:
    """Map each row's target to arcs and nodes; group arcs/nodes by the rows hitting them."""
    n_arcs, n_nodes = len(net.arcs), len(net.nodes)
    arc_rows: list[list[int]] = [[] for _ in range(n_arcs)]
    node_rows: list[list[int]] = [[] for _ in range(n_nodes)]
    a = net.arcs
    for r, target in enumerate(frame["target"].astype(str)):
        kind = frame["target_kind"].iloc[r]
        if kind == "link":
            arcs = np.flatnonzero(a.link == net.link_index[target])
            nodes = np.zeros(0, dtype=np.int64)
        elif kind == "node":
            v = net.nodes.index[target]
            nodes = np.array([v])
            arcs = np.flatnonzero((a.src == v) | (a.dst == v))
        elif kind == "mode":
            arcs = np.flatnonzero(a.mode == MODE_CODE[target[5:]])
            nodes = np.zeros(0, dtype=np.int64)
        else:  # country
            inside = net.nodes.country == target[8:]
            nodes = np.flatnonzero(inside)
            arcs = np.flatnonzero(inside[a.src] | inside[a.dst])
        for i in arcs.tolist():
            arc_rows[i].append(r)
        for v in nodes.tolist():
            node_rows[v].append(r)
    groups: dict[tuple[int, ...], int] = {}

    def group_of(rows: list[int]) -> int:
        if not rows:
            return -1
        return groups.setdefault(tuple(rows), len(groups))

    arc_group = np.array([group_of(r) for r in arc_rows], dtype=np.int32)
    node_group = np.array([group_of(r) for r in node_rows], dtype=np.int32)

    def col(name: str) -> NDArray[np.float64]:
        return frame[name].to_numpy(dtype=np.float64, na_value=np.nan)

    return DisruptionRows(
        ids=tuple(frame.index.astype(str)),
        kind=tuple(frame["kind"].astype(str)),
        start=col("start_day"),
        end=col("end_day"),
        rate=col("rate_per_day"),
        mean_days=col("mean_duration_days"),
        factor=col("capacity_factor"),
        loss=col("loss_prob"),
        group_rows=tuple(groups),
        arc_group=arc_group,
        node_group=node_group,
    )


class Profile:
    """Piecewise-constant capacity factor and loss probability over time.

    Piece ``i`` covers ``[breaks[i], breaks[i+1])``; ``breaks[0]`` is 0."""

    __slots__ = ("breaks", "factor", "loss")

    def __init__(self, breaks: list[float], factor: list[float], loss: list[float]) -> None:
        self.breaks, self.factor, self.loss = breaks, factor, loss

    def at(self, t: float) -> int:
        return after(self.breaks, t) - 1

    def factor_at(self, t: float) -> float:
        return self.factor[after(self.breaks, t) - 1]

    def loss_at(self, t: float) -> float:
        return self.loss[after(self.breaks, t) - 1]

    def loss_over(self, t0: float, t1: float) -> float:
        """The risk of a crossing from ``t0`` to ``t1``: the highest loss probability of
        the pieces it overlaps (the one at ``t0`` however short the crossing). A threat
        that becomes active while the carrier is on the arc puts it at risk too; the
        crossing is one exposure, so pieces are not compounded (the same row would be
        counted once per piece that another row's window cuts)."""
        breaks, loss = self.breaks, self.loss
        i = after(breaks, t0) - 1
        p = loss[i]
        for j in range(i + 1, len(breaks)):
            if breaks[j] >= t1:
                break
            if loss[j] > p:
                p = loss[j]
        return p

    def risk_from(self, t0: float, t1: float) -> float:
        """When a crossing from ``t0`` to ``t1`` first faces its highest risk (see
        :meth:`loss_over`): where a carrier lost on it is placed."""
        p = self.loss_over(t0, t1)
        breaks, loss = self.breaks, self.loss
        i = after(breaks, t0) - 1
        for j in range(i, len(breaks)):
            if loss[j] >= p:
                return max(t0, breaks[j])
        return t0

    def open_from(self, t: float) -> tuple[float, float]:
        """The earliest time >= t with a capacity factor above 0 and that factor
        ((inf, 0) if it never opens again)."""
        factor = self.factor
        i = after(self.breaks, t) - 1
        if factor[i] > 0:
            return t, factor[i]
        for j in range(i + 1, len(self.breaks)):
            if factor[j] > 0:
                return self.breaks[j], factor[j]
        return math.inf, 0.0

    def next_open(self, t: float) -> float:
        """The earliest time >= t with a capacity factor above 0 (inf if none)."""
        return self.open_from(t)[0]

    def closed_days(self, horizon: float) -> float:
        """Days within the horizon with factor 0 (for the per-run tables)."""
        total = 0.0
        ends = [*self.breaks[1:], math.inf]
        for b, e, f in zip(self.breaks, ends, self.factor, strict=True):
            if f <= 0 and b < horizon:
                total += min(e, horizon) - b
        return total


def sample_windows(rows: DisruptionRows, rng: np.random.Generator, horizon: float,
                   deterministic: bool) -> list[list[tuple[float, float]]]:
    """Active windows of every row for one run (random processes off when deterministic)."""
    out: list[list[tuple[float, float]]] = []
    for r, kind in enumerate(rows.kind):
        if kind == "window":
            out.append([(float(rows.start[r]), float(rows.end[r]))])
        elif kind == "standing":
            out.append([(0.0, math.inf)])
        elif deterministic or rows.rate[r] <= 0:
            out.append([])
        else:
            n = int(rng.poisson(rows.rate[r] * horizon))
            starts = np.sort(rng.uniform(0.0, horizon, n))
            lengths = rng.exponential(rows.mean_days[r], n) if rows.mean_days[r] > 0 \
                else np.zeros(n)
            out.append(list(zip(starts.tolist(), (starts + lengths).tolist(), strict=True)))
    return out


def profiles(rows: DisruptionRows, windows: list[list[tuple[float, float]]],
             deterministic: bool = False, horizon: float = math.inf) -> list[Profile]:
    """One profile per target group for a run. ``deterministic``: no loss risk (a run
    without random events loses no carrier; docs/simulator.md, "Uncertainty").

    A window that does not end before ``horizon`` lasts for good: a closure to day 30
    (or 100) of a 30-day run is a closure that never reopens within the run, exactly as
    a standing row, so a carrier behind it is stuck for good (and a medical carrier is
    replaced) rather than waiting for a reopening no event will see."""
    result = []
    for members in rows.group_rows:
        edges = {0.0}
        for r in members:
            for s, e in windows[r]:
                edges.add(max(s, 0.0))
                edges.add(max(e, 0.0) if e < horizon else math.inf)
        breaks = sorted(x for x in edges if math.isfinite(x))
        factor, loss = [], []
        for b in breaks:
            f, keep = 1.0, 1.0
            for r in members:
                if any(s <= b and (b < e or e >= horizon) for s, e in windows[r]):
                    f *= float(rows.factor[r])
                    keep *= 1.0 - float(rows.loss[r])
            factor.append(f)
            loss.append(0.0 if deterministic else 1.0 - keep)
        result.append(Profile(breaks, factor, loss))
    return result
