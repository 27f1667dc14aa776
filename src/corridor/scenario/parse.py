"""Typed conversion of raw text tables, driven by the column specs in ``schema``."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from corridor.scenario.errors import Issue
from corridor.scenario.read import RawTable
from corridor.scenario.schema import Column, Table

ROW = "_row"  # 1-based data row (or record) of each parsed row, for later messages
TRUE = {"true", "yes", "y", "1", "t"}
FALSE = {"false", "no", "n", "0", "f"}
UNLIMITED = {"inf", "infinity", "unlimited"}


def where(raw: RawTable, row: int | None, column: str | None, message: str) -> Issue:
    return Issue(
        raw.file, message, row=row, column=column, table=raw.name if raw.inline else None
    )


def parse_items(text: str) -> dict[str, int] | str:
    """Parse ``type:count;type:count``; return an error message instead on bad text."""
    out: dict[str, int] = {}
    text = text.strip()
    if not text:
        return out
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        key, sep, num = part.partition(":")
        key, num = key.strip(), num.strip()
        if not sep or not key:
            return f"'{part}' is not type:count"
        try:
            val = float(num)
        except ValueError:
            return f"count '{num}' of '{key}' is not a number"
        if not math.isfinite(val) or val < 0 or val != int(val):
            return f"count '{num}' of '{key}' must be a whole number >= 0"
        out[key] = out.get(key, 0) + int(val)
    return out


def _numeric(raw: RawTable, col: Column, cells: pd.Series, issues: list[Issue]) -> pd.Series:
    """Convert a text column to float (int columns are checked to be whole)."""
    low = cells.str.lower()
    empty = cells == ""
    unlimited = low.isin(UNLIMITED)
    values = pd.to_numeric(cells.where(~(empty | unlimited), None), errors="coerce")
    values = values.astype(float)
    default = col.default
    bad = ~(empty | unlimited) & values.isna()
    for i in np.flatnonzero(bad.to_numpy()):
        text = cells.iloc[i]
        msg = (
            "NaN is not allowed; leave the cell empty for the default"
            if low.iloc[i] in {"nan", "-nan", "+nan"}
            else f"'{text}' is not a number"
        )
        issues.append(where(raw, i + 1, col.name, msg))
    if unlimited.any():
        if default == math.inf:
            values[unlimited] = math.inf
        else:
            for i in np.flatnonzero(unlimited.to_numpy()):
                issues.append(where(raw, i + 1, col.name, f"'{cells.iloc[i]}' is not allowed here"))
    if empty.any():
        if col.required:
            for i in np.flatnonzero(empty.to_numpy()):
                issues.append(where(raw, i + 1, col.name, "required value is missing"))
        elif isinstance(default, int | float) and not isinstance(default, bool):
            values[empty] = float(default)
    finite = values[np.isfinite(values)]
    if col.type == "int":
        frac = finite[finite != np.round(finite)]
        for i in frac.index:
            issues.append(where(raw, int(i) + 1, col.name, f"'{cells.iloc[i]}' is not a whole number"))
    neg_inf = values == -math.inf
    for i in np.flatnonzero(neg_inf.to_numpy()):
        issues.append(where(raw, i + 1, col.name, f"'{cells.iloc[i]}' is not allowed"))
    if col.min is not None:
        low_v = values < col.min
        for i in np.flatnonzero(low_v.to_numpy() & ~neg_inf.to_numpy()):
            issues.append(
                where(raw, i + 1, col.name, f"{cells.iloc[i]} is below the minimum {col.min:g}")
            )
    if col.max is not None:
        high = values > col.max
        for i in np.flatnonzero(high.to_numpy()):
            issues.append(
                where(raw, i + 1, col.name, f"{cells.iloc[i]} is above the maximum {col.max:g}")
            )
    return values


def parse_table(raw: RawTable, spec: Table, issues: list[Issue]) -> pd.DataFrame:
    """Return a DataFrame with every spec column typed and defaulted plus ``_row``.

    Problems are appended to ``issues``; cells that fail keep NaN/empty so that
    later cross-table checks can still run and report everything at once.
    """
    n = len(raw.rows)
    known = set(spec.names)
    seen: set[str] = set()
    for h in raw.header:
        if h in seen:
            issues.append(where(raw, 0 if not raw.inline else None, h, "column appears twice"))
        seen.add(h)
        if h not in known and not h.startswith("x_"):
            hint = _closest(h, spec.names)
            issues.append(
                where(
                    raw,
                    0 if not raw.inline else None,
                    h,
                    f"unknown column{hint}; known: {', '.join(spec.names)} (or x_* for notes)",
                )
            )
    index = {h: j for j, h in enumerate(raw.header)}
    data: dict[str, object] = {}
    for col in spec.columns:
        j = index.get(col.name)
        if j is None:
            if col.required:
                issues.append(where(raw, 0 if not raw.inline else None, col.name,
                                    "required column is missing"))
            cells = pd.Series([""] * n, dtype=object)
        else:
            cells = pd.Series([r[j] for r in raw.rows], dtype=object)
        data[col.name] = _convert(raw, col, cells, issues)
    for h in raw.header:
        if h.startswith("x_") and h not in data:
            data[h] = [r[index[h]] for r in raw.rows]
    frame = pd.DataFrame(data, index=pd.RangeIndex(n))
    frame[ROW] = np.arange(1, n + 1)
    return frame


def _convert(raw: RawTable, col: Column, cells: pd.Series, issues: list[Issue]) -> object:
    if col.type in ("float", "int"):
        return _numeric(raw, col, cells.astype(str), issues)
    if col.type == "bool":
        out = []
        for i, c in enumerate(cells):
            v = c.lower()
            if v == "":
                out.append(bool(col.default) if col.default is not None else False)
            elif v in TRUE:
                out.append(True)
            elif v in FALSE:
                out.append(False)
            else:
                issues.append(where(raw, i + 1, col.name, f"'{c}' is not true/false"))
                out.append(bool(col.default))
        return out
    if col.type == "items":
        parsed: list[dict[str, int] | None] = []
        for i, c in enumerate(cells):
            if c == "":
                parsed.append(None)  # None = take from template / default
                continue
            r = parse_items(c)
            if isinstance(r, str):
                issues.append(where(raw, i + 1, col.name, f"equipment list does not parse: {r}"))
                parsed.append({})
            else:
                parsed.append(r)
        return parsed
    if col.type == "nodes":
        return [tuple(p.strip() for p in c.split(";") if p.strip()) for c in cells]
    # text-like: id, str, node, enum
    empty = cells == ""
    if col.required and empty.any():
        for i in np.flatnonzero(empty.to_numpy()):
            issues.append(where(raw, i + 1, col.name, "required value is missing"))
    if col.type == "enum":
        for i, c in enumerate(cells):
            if c and c not in col.choices:
                hint = _closest(c, col.choices)
                issues.append(
                    where(raw, i + 1, col.name,
                          f"'{c}' is not one of {', '.join(col.choices)}{hint}")
                )
        if col.default is not None:
            cells = cells.where(~empty, str(col.default))
    elif col.default is not None and not col.required:
        cells = cells.where(~empty, str(col.default))
    return cells.astype(str)


def _closest(word: str, options: tuple[str, ...]) -> str:
    import difflib

    m = difflib.get_close_matches(word, options, n=1, cutoff=0.7)
    return f" (did you mean '{m[0]}'?)" if m else ""
