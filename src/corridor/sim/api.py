"""``simulate``: compile a scenario, run the Monte Carlo sweep, aggregate, write."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from corridor.results.folder import replace_folder, write_json, write_parquet
from corridor.scenario import Scenario
from corridor.sim.model import SimModel, compile_model
from corridor.sim.options import options_from


@dataclass
class SimResult:
    """A simulation's summary (``corridor-result/1``, kind ``simulation``) and its
    per-run tables (``runs`` one row per run and movement; see :meth:`write`)."""

    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    model: SimModel | None = field(default=None, repr=False)

    @property
    def runs(self) -> pd.DataFrame:
        return self.tables["runs"]

    def write(self, out_dir: str | Path) -> Path:
        """Write ``summary.json`` and the Parquet tables as a whole folder, replacing any
        earlier result there, so no table of another run stays beside this summary
        (:func:`corridor.results.replace_folder`; raises ``ResultFolderError`` for a
        folder that is not a result)."""
        with replace_folder(out_dir) as stage:
            for name, frame in self.tables.items():
                write_parquet(stage / f"{name}.parquet", frame)
            write_json(stage / "summary.json", self.summary)
        return Path(out_dir)


def simulate(scenario: Scenario, runs: int, seed: int, *, backend: str = "local",
             workers: int | None = None, address: str | None = None,
             plan_dir: str | Path | None = None, deterministic: bool = False,
             progress: bool = True) -> SimResult:
    """Monte Carlo simulation of ``scenario``: ``runs`` runs from root ``seed``.

    ``backend`` is ``local`` (processes; ``workers`` defaults to all cores) or ``ray``
    (``address`` of a cluster, else a local Ray instance). ``plan_dir`` makes the
    dispatcher follow a plan written by ``corridor plan``; ``deterministic`` switches
    every random element off. Ctrl-C keeps the finished runs (``complete`` false).
    Raises :class:`corridor.scenario.ScenarioError` for bad simulation options or an
    unreadable plan, :class:`corridor.sim.montecarlo.BackendError` for a backend
    that cannot be used.
    """
    from corridor.sim.montecarlo import sweep
    from corridor.sim.summary import build_summary, run_tables

    t0 = time.perf_counter()
    options = options_from(scenario, deterministic)
    plan = None
    if plan_dir is not None:
        from corridor.sim.plan import read_plan

        plan = read_plan(Path(plan_dir), scenario)
    if backend == "ray" and address:  # fail on a wrong address before the model compiles
        from corridor.sim.montecarlo import check_address

        check_address(address)
    model = compile_model(scenario, options, plan)
    result = sweep(model, seed, runs, backend=backend, workers=workers, address=address,
                   progress=progress)
    summary = build_summary(model, result.records, runs=runs, seed=seed,
                            scenario=scenario.name, source=str(scenario.source or ""),
                            plan_dir=str(plan_dir) if plan_dir is not None else None,
                            deterministic=deterministic, complete=result.complete,
                            wall_seconds=time.perf_counter() - t0)
    return SimResult(summary, run_tables(model, result.records), model)
