"""Small helpers to state sparse LPs in linopy and solve them with HiGHS."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import scipy.sparse as sp

_BANNER_DONE = False


def quiet_highs() -> None:
    """Swallow the banner HiGHS prints (to the C stdout) when the first solver is made."""
    global _BANNER_DONE
    if _BANNER_DONE:
        return
    _BANNER_DONE = True
    try:
        import highspy
    except ImportError:  # pragma: no cover - highspy is a dependency
        return
    try:
        sys.stdout.flush()
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        highspy.Highs()  # captured stdout (pytest): nothing to protect
        return
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            highspy.Highs()
    finally:
        os.dup2(saved, fd)
        os.close(saved)


@contextmanager
def quiet_linopy() -> Iterator[None]:
    """Hush linopy's log lines (an infeasible horizon is an answer here, not a failure)."""
    log = logging.getLogger("linopy")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def rows_expression(model: Any, matrix: sp.spmatrix, variable: Any) -> tuple[Any, np.ndarray]:
    """``matrix @ variable`` as a linopy expression over a ``row`` dimension.

    ``variable`` is one flat linopy variable whose labels are the matrix columns.
    Empty rows are dropped; the mask of kept rows is returned with the expression.
    """
    import linopy
    import xarray as xr
    from linopy.constants import TERM_DIM

    csr = sp.csr_matrix(matrix)
    csr.sum_duplicates()
    counts = np.diff(csr.indptr)
    keep = counts > 0
    csr = csr[keep]
    counts = counts[keep]
    width = int(counts.max()) if len(counts) else 0
    n_rows = csr.shape[0]
    labels = np.asarray(variable.labels.values).ravel()
    coeffs = np.zeros((n_rows, max(width, 1)))
    var_ids = np.full((n_rows, max(width, 1)), -1, dtype=np.int64)
    row_of = np.repeat(np.arange(n_rows), counts)
    pos = np.arange(csr.nnz) - np.repeat(csr.indptr[:-1], counts)
    coeffs[row_of, pos] = csr.data
    var_ids[row_of, pos] = labels[csr.indices]
    data = xr.Dataset(
        {"coeffs": (("row", TERM_DIM), coeffs), "vars": (("row", TERM_DIM), var_ids)},
        coords={"row": np.arange(n_rows)},
    )
    return linopy.LinearExpression(data, model), keep
