"""``corridor evacuate``: plan a civil evacuation and write its result folder."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated, Any

import typer

from corridor.console import console, fail, load_or_exit, report_issues
from corridor.evacuate.result import hours


def _default_out(source: str) -> Path:
    stem = Path(source).stem if source.endswith((".yaml", ".yml")) else Path(source).name
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") or "scenario"
    return Path("results") / f"{slug}-evacuation"


def evacuate(
    scenario: Annotated[str, typer.Argument(help="scenario folder, YAML file or built-in name")],
    out: Annotated[Path | None, typer.Option(
        "--out", help="result folder (default results/<name>-evacuation)")] = None,
    method: Annotated[str, typer.Option(
        help="auto (exact while the model is small), exact (time-expanded LP) or "
             "heuristic (CCRP)")] = "auto",
    step_min: Annotated[float | None, typer.Option(
        "--step-min", help="time step in minutes (default: scenario, else 10)")] = None,
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", help="seconds for the exact LPs; then the best plan found")] = None,
    sets: Annotated[list[str] | None, typer.Option(
        "--set", help="what-if edit table.id.column=value (repeatable)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress or tables")] = False,
) -> None:
    """Evacuate every node's population to the shelters: egress time, routes, what binds."""
    from corridor.evacuate.engine import evacuate as run
    from corridor.results import check_replaceable
    from corridor.scenario import ScenarioError

    if method not in ("auto", "exact", "heuristic"):
        fail(f"--method '{method}' is not one of auto, exact, heuristic")
    s = load_or_exit(scenario, sets or ())
    folder = out or _default_out(scenario)
    check_replaceable(folder)  # before the solve, not after (exit 2 via corridor.cli)
    try:
        result = run(s, method=method, step_min=step_min, time_limit=time_limit,
                     progress=not quiet)
    except ScenarioError as e:
        report_issues(e)
    result.write(folder)
    info = result.summary
    if not quiet:
        _print(info)
    console.print(f"[green]wrote[/] {folder}")


def _print(info: dict[str, Any]) -> None:
    from rich.table import Table

    colour = {"optimal": "green", "feasible": "yellow"}.get(info["status"], "red")
    mean = info.get("mean_evacuation_h")
    if mean is None:  # nobody reaches a shelter: no time to quote
        timing = "egress [bold red]never: nobody reaches a shelter[/]"
    else:
        timing = f"egress [bold]{hours(info['egress_h'])}[/]  mean {mean:.2f} h"
    console.print(
        f"[bold]{info['scenario']}[/]: {info['method']} [{colour}]{info['status']}[/]  "
        f"evacuees {info['evacuees']:,}, arrived {info['arrived']:,}  {timing}  "
        f"lower bound {info['lower_bound_h']:.2f} h  ({info['solve_seconds']:.1f} s)"
    )
    target = (info.get("options") or {}).get("target_h")
    if target is not None:
        met = info["egress_h"] is not None and info["egress_h"] <= target + 1e-9
        console.print(f"target: cleared by {target:g} h: " + ("[green]met[/]" if met else
                                                             "[red]missed[/]"))
    choice = info.get("method_choice") or {}
    if choice.get("requested") == "auto":
        console.print(f"method auto: {choice['reason']}", markup=False, highlight=False)
    shelters = Table(title="shelters", title_justify="left")
    for col in ("shelter", "arrived", "capacity", "full"):
        shelters.add_column(col, justify="left" if col == "shelter" else "right")
    for sh in info["shelters"]:
        cap = sh["capacity"]
        full = f"{sh['arrived'] / cap:.0%}" if cap else ""
        shelters.add_row(sh["id"], f"{sh['arrived']:,}", "unlimited" if cap is None else
                         f"{cap:,.0f}", full)
    console.print(shelters)
    origins = sorted(info["origins"], key=_slowest)[:10]
    table = Table(title="slowest origins", title_justify="left")
    for col in ("origin", "population", "arrived", "last in shelter", "mean"):
        table.add_column(col, justify="left" if col == "origin" else "right")
    for o in origins:
        table.add_row(o["id"], f"{o['population']:,}", f"{o['arrived']:,}",
                      hours(o["last_arrival_h"]) if o["arrived"] else "never",
                      "" if o["mean_evacuation_h"] is None else
                      f"{o['mean_evacuation_h']:.2f} h")
    console.print(table)
    for u in info["unmet"]:
        console.print(f"[red]left behind[/] {u['people']:,} at {u['node']}: {u['reason']}")


def _slowest(origin: dict[str, Any]) -> tuple[bool, float]:
    """Sort key: origins some of whose people never arrive first, then the latest last
    arrival (0 h, everybody sheltered in place, is the quickest, not unknown)."""
    last = origin["last_arrival_h"]
    never = origin["arrived"] < origin["population"]
    return (not never, -(math.inf if last is None else float(last)))


COMMANDS = {"evacuate": evacuate}
