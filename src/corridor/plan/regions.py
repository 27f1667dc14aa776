"""Regions of a fleet: its loading places grouped so that any two in a group are close.

The pooled fleet rows (docs/planner.md, "Time") hold a carrier after each trip
for the empty run to the *farthest* place its fleet loads at, so that it can start its
next trip anywhere. On a continental network that run dominates: eastern-flank's PLS
trucks load at 56 places up to 62 h apart, and a 7 h trip held its truck for 51 h. The
relaxation-and-rounding path therefore splits such a fleet into one pool per region of
its loading places (complete-linkage clusters of at most ``diameter_h`` between any
two, at most ``most`` of them): a trip from a region holds its carrier for the run back
to the farthest place *of that region*, and the model decides how many of the fleet's
carriers work in each region (:func:`corridor.plan.constraints.define_fleet_cycling`).
A carrier stays in its region: what is lost (a carrier moving to another region part
way through the plan) is far less than what the shorter cycles gain (eastern-flank:
LP bound 21.3 → 4.27, plan 23.4 → 5.7; docs/planner.md, "Regions").
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]
FAR = 1e6  # hours standing in for "unreachable" (complete linkage keeps such places apart)


def regions(hours: F64, diameter_h: float, most: int) -> I64:
    """Region (0, 1, …) of each place from ``hours[i, j]``, the fleet's fastest empty
    run from place i to place j (inf when it cannot). Places further than
    ``diameter_h`` apart either way are in different regions, unless that makes more
    than ``most`` regions: then the ``most`` tightest complete-linkage clusters."""
    n = len(hours)
    if n < 2 or most < 2:
        return np.zeros(n, dtype=np.int64)
    d = np.maximum(hours, hours.T)
    d = np.where(np.isfinite(d), d, FAR)
    np.fill_diagonal(d, 0.0)
    tree = linkage(squareform(d, checks=False), method="complete")
    label = fcluster(tree, diameter_h, criterion="distance")
    if label.max() > most:
        label = fcluster(tree, most, criterion="maxclust")
    # numbered by first appearance, so the same places give the same regions
    _, first, inv = np.unique(label, return_index=True, return_inverse=True)
    rank = np.argsort(np.argsort(first))
    return rank[inv].astype(np.int64)
