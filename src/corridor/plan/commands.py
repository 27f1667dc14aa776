"""``corridor plan`` and ``corridor compare``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from corridor.console import console, fail, load_or_exit


def plan(
    scenario: Annotated[str, typer.Argument(help="scenario folder, YAML file or built-in name")],
    out: Annotated[Path | None, typer.Option("--out", help="result folder")] = None,
    sets: Annotated[list[str] | None, typer.Option(
        "--set", help="what-if edit table.id.column=value (repeatable)")] = None,
    time_limit: Annotated[float | None, typer.Option(help="wall-clock limit, seconds")] = None,
    gap: Annotated[float, typer.Option(help="relative MIP gap accepted")] = 0.01,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress output")] = False,
) -> None:
    """Plan a deployment: closure per movement, what binds and what one more is worth."""
    from corridor.plan import solve_plan

    s = load_or_exit(scenario, sets or [])
    folder = out or Path("results") / f"{_slug(s.name)}-plan"
    try:
        result = solve_plan(s, time_limit=time_limit, mip_gap=gap, progress=not quiet)
    except KeyboardInterrupt:
        fail("interrupted before any plan was found; nothing written", code=130)
    result.summary.setdefault("scenario_source", str(s.source) if s.source else scenario)
    if sets:
        result.summary["what_if"] = list(sets)
    result.write(folder)
    _print_plan(result.summary)
    console.print(f"written to [bold]{folder}[/]")


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") or "scenario"


def _fmt(v: Any) -> str:
    return "-" if v is None else f"{v:.2f}"


def _print_plan(summary: dict[str, Any]) -> None:
    from rich.table import Table

    t = Table(title=f"{summary.get('scenario', '')}: plan {summary.get('status')}")
    for c in ("movement", "due day", "closure day", "late days"):
        t.add_column(c, justify="left" if c == "movement" else "right")
    for m in summary.get("movements", []):
        late = m.get("late_days")
        style = "red" if late is None or late > 0 else ""
        t.add_row(str(m["id"]), _fmt(m.get("due_day")), _fmt(m.get("closure_day")),
                  _fmt(late), style=style)
    console.print(t)
    console.print(f"closure (all movements): day {_fmt(summary.get('closure_day'))}")
    for b in summary.get("bottlenecks", [])[:5]:
        console.print(f"  binds: {b.get('kind')} {b.get('id')}: {b.get('explanation', '')}")
    for u in summary.get("unmet", []):
        console.print(f"  [red]unmet[/] {u.get('movement')}: {u.get('reason')}")


def compare(
    first: Annotated[Path, typer.Argument(help="first plan (or simulation) folder")],
    second: Annotated[Path, typer.Argument(help="second folder")],
) -> None:
    """Per-movement difference between two result folders (second minus first)."""
    from rich.table import Table

    from corridor.results import read_summary

    sums = []
    for d in (first, second):
        try:
            sums.append(read_summary(d))
        except (OSError, ValueError) as e:
            fail(f"{d}: cannot read summary.json ({e})")
    a, b = ({m["id"]: m for m in s.get("movements", [])} for s in sums)
    t = Table(title=f"{first} → {second}")
    for c in ("movement", "closure 1", "closure 2", "Δ closure (days)", "late 1", "late 2"):
        t.add_column(c, justify="left" if c == "movement" else "right")
    for mid in sorted(set(a) | set(b)):
        c1, c2 = _closure(a.get(mid)), _closure(b.get(mid))
        delta = None if c1 is None or c2 is None else c2 - c1
        style = "green" if delta is not None and delta < 0 else (
            "red" if delta is not None and delta > 0 else "")
        t.add_row(mid, _fmt(c1), _fmt(c2), _fmt(delta), _fmt(_late(a.get(mid))),
                  _fmt(_late(b.get(mid))), style=style)
    console.print(t)
    o1, o2 = (_closure({"closure_day": s.get("closure_day")}) for s in sums)
    console.print(f"overall closure: {_fmt(o1)} → {_fmt(o2)}")


def _closure(m: dict[str, Any] | None) -> float | None:
    if m is None:
        return None
    v = m.get("closure_day")
    if isinstance(v, dict):  # a simulation summary: compare the mean
        v = v.get("mean")
    return None if v is None else float(v)


def _late(m: dict[str, Any] | None) -> float | None:
    if m is None:
        return None
    v = m.get("late_days")
    return None if v is None else float(v)


COMMANDS: dict[str, Callable[..., None]] = {"plan": plan, "compare": compare}
