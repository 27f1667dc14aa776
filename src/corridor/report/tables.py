"""Report tables: rendered as HTML in the page and written as CSV beside it."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from corridor.results.folder import atomic_write_text


@dataclass(frozen=True)
class Table:
    key: str  # CSV file stem, unique in a report
    title: str
    frame: pd.DataFrame
    units: dict[str, str] = field(default_factory=dict)  # column -> unit shown in the header
    note: str = ""
    max_rows: int = 200  # the page shows this many rows; the CSV has all


def _fmt(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if math.isnan(v):
            return "–"
        if math.isinf(v):
            return "unlimited"
        return _float(v)
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, dict):
        return "; ".join(f"{k}: {_fmt(x)}" for k, x in v.items())
    if isinstance(v, list | tuple):
        return "; ".join(_fmt(x) for x in v)
    return str(v)


def _float(v: float) -> str:
    """A finite float for the page: thousands whole, otherwise two decimals, but at least
    two significant digits below 0.01 (a shadow price of 0.0012 is not "0") and never
    "-0" (a rounding artefact that reads as a sign the data does not have)."""
    a = abs(v)
    if a >= 1000:
        text = f"{v:,.0f}"
    elif a == 0 or v == int(v):
        text = f"{v:.0f}"
    elif a >= 0.01:
        text = f"{v:.2f}".rstrip("0").rstrip(".")
    elif a >= 1e-6:
        digits = 1 - math.floor(math.log10(a))  # two significant digits
        text = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    else:
        text = f"{v:.2g}"
    return "0" if text.lstrip("-").strip("0.") == "" else text


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def to_html(t: Table, csv_dir: str = "") -> str:
    """The table as HTML; ``csv_dir`` is the folder of its CSV relative to the page."""
    href = f"{csv_dir}/{t.key}.csv" if csv_dir else f"{t.key}.csv"
    head = "".join(
        f"<th>{html.escape(str(c).replace('_', ' '))}"
        + (f" <span class='unit'>({html.escape(t.units[str(c)])})</span>"
           if str(c) in t.units else "") + "</th>"
        for c in t.frame.columns
    )
    body = []
    for rec in t.frame.head(t.max_rows).itertuples(index=False):
        cells = "".join(
            f"<td class='{'num' if _is_number(v) else ''}'>"
            f"{html.escape(_fmt(v.item() if hasattr(v, 'item') else v))}</td>"
            for v in rec
        )
        body.append(f"<tr>{cells}</tr>")
    more = (f"<p class='note'>First {t.max_rows} of {len(t.frame)} rows; all rows are in "
            f"{html.escape(href)}.</p>" if len(t.frame) > t.max_rows else "")
    note = f"<p class='note'>{html.escape(t.note)}</p>" if t.note else ""
    return (f"<figure class='table' id='table-{html.escape(t.key)}'>"
            f"<figcaption>{html.escape(t.title)} "
            f"<a class='csv' href='{html.escape(href)}'>CSV</a>"
            f"</figcaption><div class='scroll'><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>{note}{more}</figure>")


def to_csv(t: Table) -> str:
    frame = t.frame.copy()
    for c in frame.columns:
        if frame[c].map(lambda v: isinstance(v, dict | list | tuple)).any():
            frame[c] = frame[c].map(_fmt)
    frame.columns = [f"{c} ({t.units[str(c)]})" if str(c) in t.units else str(c)
                     for c in frame.columns]
    text: str = frame.to_csv(index=False, lineterminator="\n")
    return text


def write_csvs(tables: list[Table], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for t in tables:
        p = folder / f"{t.key}.csv"
        atomic_write_text(p, to_csv(t))
        paths.append(p)
    return paths
