"""``corridor report`` and ``corridor run`` (validate → plan → simulate → report)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from corridor.console import command_line, console, fail, load_or_exit, report_issues

# Monte Carlo runs of `corridor run` when --runs is not given: enough for a
# stable p10-p90 band, few enough that the whole run takes about a minute.
DEFAULT_RUNS = 50
# Planner time limit of `corridor run`: room for the eastern-flank plan to finish with
# its polishing and bottleneck re-solves (2-2.5 min on a 2-core machine, half as much
# again when the machine is slow), so a plan cut short (status time_limit, no bottleneck
# analysis) is the exception (`corridor plan` has no limit).
DEFAULT_TIME_LIMIT_S = 300.0


def report(
    folders: Annotated[list[Path], typer.Argument(
        help="result folders (plans, simulations, evacuations, or `corridor run` folders)")],
    scenario: Annotated[str | None, typer.Option(
        "--scenario", help="scenario folder, YAML file or built-in name the results are of "
        "(default: the one the results name)")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="HTML file to write (default: FIRST_FOLDER/report.html)")] = None,
    images: Annotated[bool, typer.Option(
        "--images/--no-images", help="also export figures as PNG/SVG (needs kaleido)")] = True,
) -> None:
    """Write the self-contained HTML report (map, closure curves, bottlenecks, ...) for
    result folders; tables are written as CSV beside it."""
    from corridor.report.build import build_report
    from corridor.report.inputs import ReportError

    s = load_or_exit(scenario) if scenario else None
    target = out if out is not None else folders[0] / "report.html"
    try:
        path = build_report(folders, target, scenario=s, command=command_line(), images=images,
                            warn=_warn)
    except ReportError as e:
        fail(str(e))
    _say_written(path)


def run(
    scenario: Annotated[str, typer.Argument(
        help="scenario folder, YAML file or built-in name")] = "eastern-flank",
    out: Annotated[Path | None, typer.Option(
        "--out", help="result folder (default: out/<scenario>)")] = None,
    runs: Annotated[int, typer.Option("--runs", min=1, help="Monte Carlo runs")] = DEFAULT_RUNS,
    seed: Annotated[int | None, typer.Option(
        "--seed", min=0, help="random seed (default: the scenario's)")] = None,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", min=1.0, help="planner time limit (s)")] = DEFAULT_TIME_LIMIT_S,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="simulation worker processes (default: all cores)")] = None,
    sets: Annotated[list[str] | None, typer.Option(
        "--set", help="what-if TABLE.ID.COLUMN=VALUE (repeatable)")] = None,
    images: Annotated[bool, typer.Option(
        "--images/--no-images", help="also export figures as PNG/SVG (needs kaleido)")] = True,
) -> None:
    """Validate, plan, simulate (following the plan), evacuate where the scenario has
    populations to shelter, and write DIR/report.html."""
    from corridor.report.build import build_report
    from corridor.report.inputs import ReportError
    from corridor.results.folder import RUN_FILE, check_replaceable, replace_folder, write_json

    t0 = time.perf_counter()
    s = load_or_exit(scenario, sets or [])
    info = s.summary()
    console.print(f"[green]ok[/] {info['name']}: {info['nodes']} nodes, {info['links']} links, "
                  f"{info['fleets']} fleets ({info['carriers']} carriers), "
                  f"{info['movements']} movements")
    folder = out if out is not None else Path("out") / Path(scenario).stem
    check_replaceable(folder)  # before minutes of work, not after (exit 2 via corridor.cli)
    command = command_line()
    plan_dir, sim_dir = folder / "plan", folder / "simulation"
    evac_dir = folder / "evacuation"
    # What the scenario asks for: movements (or sustainment, or casualties) to plan and
    # simulate, and populations to evacuate to shelters; either or both.
    moves = bool(len(s.movements) or len(s.supply) or s.medical is not None)
    evacuees = float(s.nodes["population"].fillna(0).sum()) > 0 \
        if "population" in s.nodes else False
    if not moves and not evacuees:
        fail("the scenario has no movements, supply, casualties or populations to "
             "evacuate: nothing to run")

    _engines()  # a build without the engines says so before any work

    # The whole run is staged beside DIR and swapped in at the end: a failure or Ctrl-C
    # midway leaves the earlier run whole, and nothing of it stays beside the new one.
    with replace_folder(folder) as stage:
        write_json(stage / RUN_FILE, {"scenario_source": str(s.source or scenario),
                                      "command": command, "sets": list(sets or [])})
        if moves:
            _plan_and_simulate(s, stage, plan_dir, sim_dir, runs, seed, time_limit, workers)
        if evacuees:
            _evacuate(s, stage, evac_dir, time_limit)
        try:
            build_report([stage], stage / "report.html", scenario=s, command=command,
                         images=images)
        except ReportError as e:
            fail(str(e))
    _say_written(folder / "report.html")
    console.print(f"done in {time.perf_counter() - t0:.0f} s")


def _plan_and_simulate(s: Any, stage: Path, plan_dir: Path, sim_dir: Path, runs: int,
                       seed: int | None, time_limit: float, workers: int | None) -> None:
    """Plan into ``stage``/plan, then simulate following the plan into ``stage``/simulation
    (``plan_dir`` and ``sim_dir`` are where they will live once the stage is swapped in)."""
    from corridor.plan import PlanError
    from corridor.scenario import ScenarioError

    solve_plan, simulate = _engines()
    t = time.perf_counter()
    try:
        plan = solve_plan(s, time_limit=time_limit, progress=True)
    except ScenarioError as e:
        report_issues(e)
    except PlanError as e:
        fail(str(e), code=1)
    plan.write(stage / plan_dir.name)
    status = plan.summary.get("status")
    console.print(f"plan: {status}, closure day "
                  f"{_fmt_day(plan.summary.get('closure_day'))} "
                  f"({time.perf_counter() - t:.0f} s) → {plan_dir}")

    t = time.perf_counter()
    follow = stage / plan_dir.name if status != "infeasible" else None
    if follow is None:
        console.print("[yellow]the plan is infeasible[/]: the simulation dispatches by "
                      "priority and due date instead of following it")
    try:
        sim = simulate(s, runs, s.seed if seed is None else seed, workers=workers,
                       plan_dir=follow, progress=True)
    except ScenarioError as e:
        report_issues(e)
    if sim.summary.get("plan") is not None:
        sim.summary["plan"] = str(plan_dir)  # where the plan it followed will live
    sim.write(stage / sim_dir.name)
    c = sim.summary.get("closure_day") or {}
    console.print(f"simulation: {runs} runs, closure day p50 {_fmt_day(c.get('p50'))} "
                  f"(p10 {_fmt_day(c.get('p10'))}, p90 {_fmt_day(c.get('p90'))}) "
                  f"({time.perf_counter() - t:.0f} s) → {sim_dir}")


def _evacuate(s: Any, stage: Path, evac_dir: Path, time_limit: float) -> None:
    """Civil evacuation of the scenario's populations into ``stage``/evacuation."""
    from corridor.evacuate.engine import evacuate
    from corridor.scenario import ScenarioError

    t = time.perf_counter()
    try:
        ev = evacuate(s, time_limit=time_limit, progress=True)
    except ScenarioError as e:
        report_issues(e)
    ev.write(stage / evac_dir.name)
    info = ev.summary
    egress = info.get("egress_h")
    console.print(f"evacuation ({info['method']}): {info['status']}, {info['arrived']:,} of "
                  f"{info['evacuees']:,} "
                  f"sheltered, egress {'never' if egress is None else f'{egress:.1f} h'} "
                  f"({time.perf_counter() - t:.0f} s) → {evac_dir}")


def _engines() -> tuple[Any, Any]:
    try:
        from corridor.plan import solve_plan
        from corridor.sim import simulate
    except ImportError as e:
        fail(f"this build of Corridor lacks an engine ({e}); `corridor report` still works "
             "on existing result folders", code=1)
    return solve_plan, simulate


def _fmt_day(v: Any) -> str:
    return f"{v:.1f}" if isinstance(v, int | float) and not isinstance(v, bool) else "–"


def _warn(message: str) -> None:
    # as `corridor compare` does when its plans are of different scenarios
    console.print(f"[yellow]warning:[/] {escape(message)}", soft_wrap=True)


def _say_written(path: Path) -> None:
    size = path.stat().st_size / 1e6
    tables = path.parent / f"{path.stem}_tables"
    figs = path.parent / f"{path.stem}_figures"
    extra = f"; tables in {tables}" + (f", figures in {figs}" if figs.is_dir() else "")
    console.print(f"[green]report[/] {path} ({size:.1f} MB){extra}")


COMMANDS = {"report": report, "run": run}
