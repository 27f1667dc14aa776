"""The ``corridor simulate`` command (heavy libraries are imported inside)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from corridor.console import console, fail, load_or_exit

ScenarioArg = Annotated[str, typer.Argument(help="scenario folder, YAML file or built-in name")]


def simulate(
    scenario: ScenarioArg,
    runs: Annotated[int, typer.Option(min=1, help="Monte Carlo runs")] = 200,
    seed: Annotated[int | None, typer.Option(min=0, help="root seed (default: the "
                                             "scenario's seed)")] = None,
    out: Annotated[Path | None, typer.Option(help="result folder (default "
                                             "results/<scenario>-sim)")] = None,
    plan: Annotated[Path | None, typer.Option("--plan", help="follow the plan in this "
                                              "folder (written by corridor plan)")] = None,
    deterministic: Annotated[bool, typer.Option(
        "--deterministic", help="switch every random element off (reproduces a plan "
        "within one step)")] = False,
    backend: Annotated[str, typer.Option(help="local (processes) or ray")] = "local",
    address: Annotated[str | None, typer.Option(help="Ray cluster address (with --backend "
                                                "ray)")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="worker processes (default: all "
                                                "cores)")] = None,
    sets: Annotated[list[str] | None, typer.Option("--set", help="what-if, e.g. "
                                                   "carriers.het.count=240")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
) -> None:
    """Monte Carlo under disruption: closure per movement, probability on time, losses,
    stock-outs and the medical chain. Ctrl-C keeps the finished runs."""
    from corridor.scenario import ScenarioError
    from corridor.sim.api import simulate as run_simulation
    from corridor.sim.montecarlo import BackendError

    if backend not in ("local", "ray"):
        fail(f"--backend must be local or ray, not '{backend}'")
    if address and backend != "ray":
        fail("--address needs --backend ray")
    if plan is not None and not plan.is_dir():
        fail(f"--plan {plan}: no such folder")
    s = load_or_exit(scenario, sets or [])
    name = Path(str(scenario))
    folder = out if out is not None else \
        Path("results") / f"{name.stem if name.suffix in ('.yaml', '.yml') else name.name}-sim"
    try:
        result = run_simulation(s, runs, s.seed if seed is None else seed, backend=backend,
                                workers=workers, address=address, plan_dir=plan,
                                deterministic=deterministic, progress=not quiet)
    except ScenarioError as e:
        from corridor.console import report_issues

        report_issues(e)
    except BackendError as e:
        fail(str(e))
    result.write(folder)
    _print(result.summary, folder)
    if not result.summary["complete"]:
        raise typer.Exit(130)  # interrupted: the finished runs are written


def _print(summary: dict, folder: Path) -> None:
    from rich.table import Table

    def day(x: float | None) -> str:
        return "never" if x is None else f"{x:.1f}"

    done, runs = summary["runs_done"], summary["runs"]
    if not summary["complete"]:
        console.print(f"[yellow]interrupted[/]: {done} of {runs} runs kept")
    c = summary["closure_day"]
    console.print(f"{summary['scenario']}: {done} runs ({summary['policy']}), closure day "
                  f"p10 {day(c['p10'])} · p50 {day(c['p50'])} · p90 {day(c['p90'])}; "
                  f"all on time in {100 * (summary['p_on_time'] or 0):.0f} % of runs")
    t = Table(title="Movements (closure day over runs)")
    for col in ("movement", "due", "p10", "p50", "p90", "on time", "lost t"):
        t.add_column(col, justify="left" if col == "movement" else "right")
    for mv in summary["movements"]:
        cd = mv["closure_day"]
        t.add_row(mv["id"], day(mv["due_day"]), day(cd["p10"]), day(cd["p50"]),
                  day(cd["p90"]), f"{100 * (mv['p_on_time'] or 0):.0f} %",
                  f"{mv['lost_t']['mean'] or 0:,.0f}")
    console.print(t)
    lost = summary["losses"]
    if (lost["carriers"]["mean"] or 0) > 0:
        console.print(f"losses per run: {lost['carriers']['mean']:.2f} carriers, "
                      f"{lost['cargo_t']['mean']:,.0f} t of cargo; short: "
                      f"{', '.join(lost['short_movements']) or 'none'}")
    for u in summary["unmet"]:
        console.print(f"[yellow]no route[/] {u['movement']}: {u['reason']}", markup=True)
    med = summary.get("medical")
    if med and med.get("modelled", True):
        share = med["share_surgery_within_limit"]["mean"]
        if not (med.get("surgical_cases_judged") or {}).get("mean"):
            share = None  # no surgical case judged: the 0 is of nothing
        console.print(f"medical: {med['casualties']['mean']:,.0f} casualties per run, "
                      f"surgery within limit {'-' if share is None else f'{100 * share:.0f} %'}"
                      f", died of wounds {med['died_of_wounds']['mean']:,.1f}")
        for note in med.get("notes") or []:  # what the chain could not model here
            console.print(f"[yellow]medical:[/] {escape(note)}", markup=True)
    console.print(f"[green]written[/] {folder} ({summary['wall_seconds']:.1f} s, "
                  f"{summary['events']:,} events)")


COMMANDS = {"simulate": simulate}
