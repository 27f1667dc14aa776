"""``corridor plan`` and ``corridor compare``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from corridor.console import command_line, console, err_console, fail, load_or_exit

EXIT_INTERRUPTED = 130  # as a shell reports a process ended by Ctrl-C (SIGINT)


def _slug(source: str) -> str:
    name = Path(source).stem if source.endswith((".yaml", ".yml")) else Path(source).name
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "scenario"


def _day(v: Any) -> str:
    return "—" if v is None else f"{float(v):.2f}"


def plan(
    scenario: Annotated[str, typer.Argument(help="scenario folder, YAML file or built-in name")],
    out: Annotated[Path | None, typer.Option(
        "--out", help="result folder (default results/<scenario>-plan)")] = None,
    sets: Annotated[list[str] | None, typer.Option(
        "--set", help="what-if edit table.id.column=value (repeatable), e.g. "
        "carriers.het.count=240")] = None,
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", help="seconds; the best plan found by then is written and marked "
        "time_limit (default: the scenario's planner.time_limit_s, else none)",
        min=1.0)] = None,
    gap: Annotated[float | None, typer.Option(
        "--gap", help="relative optimality gap to stop at (default: the scenario's "
        "planner.mip_gap, else 0.01)", min=0.0, max=1.0)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress or solver log")] = False,
) -> None:
    """Plan a deployment: when each movement closes, what binds and what one more unit of
    it is worth, and why a movement cannot close. Ctrl-C stops the solver and writes the
    best plan so far."""
    from corridor.plan import PlanError, solve_plan

    s = load_or_exit(scenario, sets or [])
    folder = out or Path("results") / f"{_slug(scenario)}-plan"
    try:
        result = solve_plan(s, time_limit=time_limit, mip_gap=gap, progress=not quiet)
    except PlanError as e:
        fail(str(e), code=1)
    except KeyboardInterrupt:  # Ctrl-C before any whole-trip plan existed
        err_console.print("[yellow]interrupted[/] before a plan was found: nothing written")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    result.summary["command"] = command_line()
    result.summary["sets"] = list(sets or [])
    try:
        result.write(folder)
    except OSError as e:
        fail(f"cannot write results to {folder}: {e.strerror or e}")
    if not quiet:
        _print_plan(result.summary)
    sm = result.summary
    console.print(f"[bold]{sm['status']}[/] closure day {_day(sm['closure_day'])}, gap "
                  f"{'—' if sm.get('gap') is None else format(sm['gap'], '.2%')}, "
                  f"{sm['wall_seconds']:.1f} s → {folder}")
    if sm.get("interrupted"):  # a plan was written: exit 0, but say it is cut short
        console.print("[yellow]interrupted[/]: the best plan so far was written, marked "
                      "time_limit")


def _print_plan(sm: dict[str, Any]) -> None:
    from rich.table import Table

    t = Table(title=f"{sm['scenario']}: movements", title_justify="left")
    for col, j in (("movement", "left"), ("prio", "right"), ("due", "right"),
                   ("closure", "right"), ("late", "right"), ("arrived", "right")):
        t.add_column(col, justify=j)  # type: ignore[arg-type]
    for m in sm["movements"]:
        late = m["late_days"]
        style = "red" if m["closure_day"] is None else ("yellow" if late and late > 0 else "")
        t.add_row(m["id"], str(m["priority"]), _day(m["due_day"]), _day(m["closure_day"]),
                  _day(late), f"{m['share_arrived']:.0%}", style=style)
    console.print(t)
    if sm["bottlenecks"]:
        console.print("[bold]Bottlenecks[/] (what one more unit is worth):")
        for i, b in enumerate(sm["bottlenecks"], 1):
            use = "" if b["utilization"] is None else f" [{b['utilization']:.0%} used]"
            console.print(f" {i}. {b['kind']} {b['id']}{use}: {b['explanation']}",
                          soft_wrap=True, markup=False)
    if sm["unmet"]:
        console.print("[bold red]Cannot close inside the horizon:[/]")
        for u in sm["unmet"]:
            console.print(f" - {u['movement']}: {u['reason']}", soft_wrap=True, markup=False)


def _read(folder: Path) -> dict[str, Any]:
    p = Path(folder) / "summary.json"
    if not p.is_file():
        fail(f"{folder}: no summary.json (not a result folder)")
    try:
        data: dict[str, Any] = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        fail(f"{p}: cannot read ({e})")
    if data.get("kind") != "plan" or not isinstance(data.get("movements"), list):
        fail(f"{p}: not a plan result (kind {data.get('kind')!r}); compare takes two "
             "`corridor plan` folders")
    return data


def _delta(a: Any, b: Any) -> str:
    if a is None and b is None:
        return ""
    if a is None:
        return "now closes"
    if b is None:
        return "no longer closes"
    d = float(b) - float(a)
    return "" if abs(d) < 1e-9 else f"{d:+.2f}"


def compare(
    first: Annotated[Path, typer.Argument(help="a plan result folder")],
    second: Annotated[Path, typer.Argument(help="another plan result folder")],
) -> None:
    """Per-movement difference between two plans (closure and lateness), and overall."""
    from rich.table import Table

    a, b = _read(first), _read(second)
    if a.get("scenario") != b.get("scenario"):
        console.print(f"[yellow]warning:[/] the plans are of different scenarios "
                      f"('{a.get('scenario')}' and '{b.get('scenario')}'); movements are "
                      "matched by id")
    ma = {m["id"]: m for m in a["movements"]}
    mb = {m["id"]: m for m in b["movements"]}
    t = Table(title=f"{first} → {second}", title_justify="left")
    for col in ("movement", "closure", "→", "Δ days", "late", "→ ", "Δ late"):
        t.add_column(col, justify="left" if col == "movement" else "right")
    changed = 0
    for mid in list(ma) + [m for m in mb if m not in ma]:
        x, y = ma.get(mid), mb.get(mid)
        if x is None or y is None:
            t.add_row(mid, _day(x and x["closure_day"]), _day(y and y["closure_day"]),
                      "only in " + ("second" if x is None else "first"), "", "", "")
            changed += 1
            continue
        dc = _delta(x["closure_day"], y["closure_day"])
        dl = _delta(x["late_days"], y["late_days"])
        changed += bool(dc or dl)
        better = (y["closure_day"] is not None and x["closure_day"] is None) or \
            (dc.startswith("-"))
        style = "green" if better else ("red" if dc and not better else "")
        t.add_row(mid, _day(x["closure_day"]), _day(y["closure_day"]), dc,
                  _day(x["late_days"]), _day(y["late_days"]), dl, style=style)
    console.print(t)
    chunks = _sustainment_table(a, b, f"{first} → {second}: sustainment (changed chunks)")
    if chunks is not None and chunks[1]:
        console.print(chunks[0])
    for label, key in (("closure day", "closure_day"),
                       ("priority-weighted days late", "priority_weighted_late_days")):
        console.print(f"{label}: {_day(a.get(key))} → {_day(b.get(key))} "
                      f"{_delta(a.get(key), b.get(key))}")
    console.print(f"cannot close: {len(a['unmet'])} → {len(b['unmet'])}; status "
                  f"{a['status']} → {b['status']}; {changed} movement(s) changed"
                  + ("" if chunks is None else f", {chunks[1]} sustainment chunk(s) changed"))


def _arrived(m: dict[str, Any] | None) -> str:
    if m is None or m.get("arrived_t") is None:
        return "—"
    return f"{float(m['arrived_t']):,.0f}"


def _sustainment_table(a: dict[str, Any], b: dict[str, Any], title: str
                       ) -> tuple[Any, int] | None:
    """The supply chunks (summary ``sustainment``, matched by ``id``) whose closure,
    lateness or tonnes arrived differ between the plans (as a table), and how many;
    None when neither plan has sustainment."""
    from rich.table import Table

    sa = {m["id"]: m for m in a.get("sustainment") or []}
    sb = {m["id"]: m for m in b.get("sustainment") or []}
    if not sa and not sb:
        return None
    t = Table(title=title, title_justify="left")
    for col in ("chunk", "supply", "closure", "→", "Δ days", "late", "→ ", "Δ late",
                "arrived t", "→  "):
        t.add_column(col, justify="left" if col in ("chunk", "supply") else "right")
    changed = 0
    for cid in list(sa) + [c for c in sb if c not in sa]:
        x, y = sa.get(cid), sb.get(cid)
        supply = str((x or y or {}).get("supply", ""))
        if x is None or y is None:
            t.add_row(cid, supply, _day(x and x["closure_day"]), _day(y and y["closure_day"]),
                      "only in " + ("second" if x is None else "first"), "", "", "",
                      _arrived(x), _arrived(y))
            changed += 1
            continue
        dc = _delta(x["closure_day"], y["closure_day"])
        dl = _delta(x["late_days"], y["late_days"])
        ta, tb = x.get("arrived_t"), y.get("arrived_t")
        dt = ta is not None and tb is not None and abs(float(ta) - float(tb)) > 1e-6
        if not (dc or dl or dt):
            continue
        changed += 1
        better = (y["closure_day"] is not None and x["closure_day"] is None) or \
            dc.startswith("-") or (not dc and dt and float(tb) > float(ta))
        style = "green" if better else "red"
        t.add_row(cid, supply, _day(x["closure_day"]), _day(y["closure_day"]), dc,
                  _day(x["late_days"]), _day(y["late_days"]), dl, _arrived(x), _arrived(y),
                  style=style)
    return t, changed


COMMANDS: dict[str, Callable[..., None]] = {"plan": plan, "compare": compare}
