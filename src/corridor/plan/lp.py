"""A thin, vectorised layer over linopy for models built from flat numpy arrays.

Variables are added as 1-D blocks; constraint families arrive as COO triplets
(row, variable label, coefficient) and go to linopy as one CSR-backed (frozen)
constraint each, or, on a linopy without those, as padded ``(row, _term)``
expressions. Each family remembers which linopy labels its rows got, so duals can be
read back per family row after the solve.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import linopy
import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]


@dataclass
class Family:
    name: str
    n_rows: int
    labels: I64  # linopy constraint label per family row (-1: row has no terms)
    sign: str
    rhs: F64


@dataclass
class LPBuilder:
    model: linopy.Model = field(default_factory=linopy.Model)
    blocks: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (label0, n)
    families: dict[str, Family] = field(default_factory=dict)
    integer_blocks: list[str] = field(default_factory=list)
    _obj: list[tuple[I64, F64]] = field(default_factory=list)
    offset: float = 0.0

    def variables(self, name: str, n: int, lower: float | F64 = 0.0,
                  upper: float | F64 = np.inf, integer: bool = False) -> I64:
        """A block of ``n`` variables; returns their labels."""
        if n == 0:
            self.blocks[name] = (0, 0)
            return np.zeros(0, dtype=np.int64)
        idx = pd.RangeIndex(n, name=f"{name}_i")
        lo = xr.DataArray(np.broadcast_to(np.asarray(lower, dtype=float), (n,)).copy(),
                          coords=[idx])
        up = xr.DataArray(np.broadcast_to(np.asarray(upper, dtype=float), (n,)).copy(),
                          coords=[idx])
        v = self.model.add_variables(lower=lo, upper=up, name=name, integer=integer)
        labels = np.asarray(v.labels.values, dtype=np.int64)
        self.blocks[name] = (int(labels[0]), n)
        if integer:
            self.integer_blocks.append(name)
        return labels

    def rows(self, name: str, n_rows: int, row: I64, col: I64, val: F64, sign: str,
             rhs: float | F64) -> Family:
        """Add family ``name``: rows ``0..n_rows-1`` of ``sum(val * x[col]) sign rhs``.

        Rows without terms are dropped (callers make sure they are trivially true)."""
        rhs_arr = np.broadcast_to(np.asarray(rhs, dtype=float), (n_rows,)).copy()
        labels = np.full(n_rows, -1, dtype=np.int64)
        keep = val != 0
        row, col, val = row[keep], col[keep], val[keep]
        if len(row):
            counts = np.bincount(row, minlength=n_rows)
            nz = np.flatnonzero(counts)
            local = np.full(n_rows, -1, dtype=np.int64)
            local[nz] = np.arange(len(nz))
            added = _add_csr(self.model, name, local[row], col, val, sign, rhs_arr[nz]) \
                if _CSR else None
            if added is None:
                added = _add_padded(self.model, name, local[row], col, val, sign, rhs_arr[nz])
            labels[nz] = added
        fam = Family(name, n_rows, labels, sign, rhs_arr)
        self.families[name] = fam
        return fam

    def cost(self, col: I64, coef: F64) -> None:
        self._obj.append((np.asarray(col, dtype=np.int64), np.asarray(coef, dtype=float)))

    def finish_objective(self) -> None:
        cols = np.concatenate([c for c, _ in self._obj]) if self._obj else np.zeros(0, np.int64)
        vals = np.concatenate([v for _, v in self._obj]) if self._obj else np.zeros(0)
        cols, inv = np.unique(cols, return_inverse=True)
        vals = np.bincount(inv.ravel(), weights=vals, minlength=len(cols))
        keep = vals != 0
        cols, vals = cols[keep], vals[keep]
        if not len(cols):  # linopy needs some objective
            first = next((b for b in self.blocks.values() if b[1]), None)
            cols = np.array([first[0] if first else 0], dtype=np.int64)
            vals = np.zeros(1)
        ds = xr.Dataset({"vars": ("_term", cols), "coeffs": ("_term", vals), "const": 0.0})
        self.model.objective = linopy.LinearExpression(ds, self.model)

    @property
    def n_integer(self) -> int:
        return sum(self.blocks[b][1] for b in self.integer_blocks)


try:  # linopy >= 0.6 keeps frozen constraints as CSR: by far the fastest way in
    from linopy.constraints import CSRConstraint
    from linopy.csr import Grid

    _CSR = True
except ImportError:  # pragma: no cover - older linopy
    _CSR = False


def _add_csr(model: linopy.Model, name: str, row: I64, col: I64, val: F64, sign: str,
             rhs: F64) -> I64 | None:
    """Rows as one CSR-backed constraint; None if this linopy cannot take it."""
    from scipy import sparse

    n = len(rhs)
    try:
        csr = sparse.csr_array((val, (row, col)), shape=(n, model._xCounter))
        csr.sum_duplicates()
        idx = pd.RangeIndex(n, name=f"{name}_r")
        con = CSRConstraint(csr, np.arange(n), rhs, sign, Grid({f"{name}_r": idx}), model)
        c = model.add_constraints(con, name=name, freeze=True)
        return np.asarray(c.labels.values, dtype=np.int64).ravel()
    except (TypeError, AttributeError, ValueError):
        return None


def _add_padded(model: linopy.Model, name: str, row: I64, col: I64, val: F64, sign: str,
                rhs: F64) -> I64:
    """Rows as padded ``(row, _term)`` expressions, bucketed by term count (powers of 4)
    so a few long rows do not pad the rest."""
    n = len(rhs)
    labels = np.full(n, -1, dtype=np.int64)
    order = np.lexsort((col, row))
    row, col, val = row[order], col[order], val[order]
    counts = np.bincount(row, minlength=n)
    pos = np.arange(len(row)) - (np.cumsum(counts) - counts)[row]
    width = (4 ** np.ceil(np.log(np.maximum(counts, 1)) / np.log(4))).astype(int)
    for k, w in enumerate(np.unique(width)):
        rows_w = np.flatnonzero(width == w)
        local = np.full(n, -1, dtype=np.int64)
        local[rows_w] = np.arange(len(rows_w))
        sel = local[row] >= 0
        V = np.full((len(rows_w), w), -1, dtype=np.int64)
        C = np.zeros((len(rows_w), w))
        V[local[row[sel]], pos[sel]] = col[sel]
        C[local[row[sel]], pos[sel]] = val[sel]
        cname = name if k == 0 else f"{name}#{w}"
        ridx = pd.RangeIndex(len(rows_w), name=f"{cname}_r")
        ds = xr.Dataset({"vars": ((ridx.name, "_term"), V),
                         "coeffs": ((ridx.name, "_term"), C),
                         "const": (ridx.name, np.zeros(len(rows_w)))},
                        coords={ridx.name: ridx})
        c = model.add_constraints(linopy.LinearExpression(ds, model), sign,
                                  xr.DataArray(rhs[rows_w], coords=[ridx]), name=cname,
                                  freeze=True)
        labels[rows_w] = np.asarray(c.labels.values, dtype=np.int64).ravel()
    return labels
