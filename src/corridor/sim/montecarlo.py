"""Monte Carlo: many runs of one compiled model, on local processes or on Ray.

Run ``i`` draws from ``SeedSequence(seed, spawn_key=(i,))`` — the ``i``-th child of
``SeedSequence(seed).spawn(runs)`` — so every run has the same numbers whatever
the backend, the number of workers or how runs are batched. Runs travel in
batches (a few per worker and core) so task overhead stays small; the model is
shipped once per worker. Results come back as compact :class:`RunRecord` rows,
are put in run order and aggregated (:mod:`corridor.sim.summary`), so the summary
is byte-identical across backends and worker counts.
"""

from __future__ import annotations

import gc
import os
import signal
import socket
import time
from collections.abc import Callable, Generator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import numpy as np

from corridor.sim.engine import Run, shared
from corridor.sim.model import SimModel

TIMELINE_RUNS = 20  # runs whose medical timeline is kept (for the report's chart)
ARRIVAL_RUNS = 200  # runs whose arrival curves are kept (per planner step)


class BackendError(RuntimeError):
    """A backend cannot be used (Ray not installed, cluster unreachable, ...)."""


@dataclass
class RunRecord:
    """What the summary and the per-run tables need from one run."""

    run: int
    closure: np.ndarray  # per movement (inf: not closed)
    delivered_t: np.ndarray
    lost_t: np.ndarray
    delivered_pax: np.ndarray
    lost_pax: np.ndarray
    shipped: np.ndarray  # per consignment, units
    delivered: np.ndarray
    lost: np.ndarray
    in_transit: np.ndarray
    carriers_lost: np.ndarray  # per fleet (movement fleets and medical ones)
    losses: list[tuple[float, int, int, int, float]]
    stockouts: list[tuple[int, int, float, int]]  # node, day, short t, supply row
    arrivals: list[tuple[int, float, float]]  # movement, day, share arrived then
    outages: list[int]  # per disruption row: windows drawn
    closed_days: list[float]  # per disruption row
    events: int
    trips: int
    medical: dict[str, float] = field(default_factory=dict)
    peak_beds: dict[str, float] = field(default_factory=dict)
    timeline: dict[str, np.ndarray] | None = None
    cpu_seconds: float = 0.0  # for benchmarks; in no result file


def run_one(model: SimModel, seed: int, i: int) -> RunRecord:
    """Run ``i`` of the sweep with root seed ``seed``."""
    cpu = time.process_time()
    with _gc_paused():
        rec = _run_one(model, seed, i)
    rec.cpu_seconds = time.process_time() - cpu
    return rec


@contextmanager
def _gc_paused() -> Generator[None, None, None]:
    """No cyclic garbage collection during a run: a run allocates some hundred thousand
    small objects (events, loads), most freed at once by reference counting, and the
    collector would otherwise scan them, and the model, hundreds of times a run (about
    a tenth of its time). It runs once afterwards instead."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run_one(model: SimModel, seed: int, i: int) -> RunRecord:
    r = Run(model, np.random.SeedSequence(seed, spawn_key=(i,)))
    o = r.run()
    m = model
    carriers_lost = o.carriers_lost.astype(float)
    losses = o.losses
    if r.medical is not None:
        for f, n in r.medical.lost_by_fleet().items():
            carriers_lost[f] += n
        if r.medical.losses:  # medical carriers lost, with the patients aboard
            losses = losses + r.medical.losses
    horizon = m.horizon
    closed = [active_days(w, horizon) for w in r.st.windows]
    rec = RunRecord(
        run=i, closure=o.closure, delivered_t=o.delivered_t, lost_t=o.lost_t,
        delivered_pax=o.delivered_pax, lost_pax=o.lost_pax, shipped=o.shipped,
        delivered=o.delivered, lost=o.lost, in_transit=o.in_transit,
        carriers_lost=carriers_lost, losses=losses, stockouts=o.stockouts,
        arrivals=_arrivals(r, m.step_h / 24.0) if i < ARRIVAL_RUNS else [],
        outages=[len(w) for w in r.st.windows],
        closed_days=[float(x) for x in closed], events=o.events, trips=o.trips,
        medical=o.medical, peak_beds=o.peak_beds,
        timeline=r.medical.timeline() if r.medical is not None and i < TIMELINE_RUNS else None,
    )
    r.close()  # freed at once, not left to the cyclic collector
    return rec


def active_days(windows: list[tuple[float, float]], horizon: float) -> float:
    """Days of ``[0, horizon)`` on which a row is active: the union of its windows
    (outages of a random row may overlap; the row is active while any is on)."""
    total, reach = 0.0, 0.0  # reach: the end of the union so far (clipped)
    for s, e in sorted(windows):
        s, e = max(s, reach), min(e, horizon)
        if e > s:
            total += e - s
            reach = e
    return total


def _arrivals(r: Run, step: float) -> list[tuple[int, float, float]]:
    """Cumulative share of each movement arrived by the end of each planner step in
    which some arrived."""
    log = r.st.arrival_log
    if not log:
        return []
    mv = np.array([x[0] for x in log], dtype=np.int64)
    day = np.ceil(np.array([x[1] for x in log]) / step - 1e-9) * step
    w = np.array([x[2] for x in log])
    order = np.lexsort((day, mv))
    mv, day, w = mv[order], day[order], w[order]
    last = np.ones(len(mv), dtype=bool)
    last[:-1] = (mv[1:] != mv[:-1]) | (day[1:] != day[:-1])
    cum = np.zeros(len(w))
    for m in np.unique(mv):
        sel = mv == m
        cum[sel] = np.cumsum(w[sel])
    return [(int(a), float(b), float(min(c, 1.0))) for a, b, c in
            zip(mv[last], day[last], cum[last], strict=True)]


def run_batch(model: SimModel, seed: int, runs: list[int]) -> list[RunRecord]:
    return [run_one(model, seed, i) for i in runs]


def batches(runs: int, workers: int) -> list[list[int]]:
    """Runs in batches: about four batches per worker, at most 10 runs each (a few
    seconds of work: task overhead stays small, and no worker sits idle for long
    while another finishes the last batch)."""
    size = max(1, min(10, runs // max(1, workers * 4)))
    return [list(range(a, min(a + size, runs))) for a in range(0, runs, size)]


# --------------------------------------------------------------------- local
_MODEL: SimModel | None = None


def _init_worker(model: SimModel) -> None:
    global _MODEL
    _MODEL = model
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    gc.freeze()  # the model (inherited) is never garbage: the collector skips it


def _local_batch(seed: int, runs: list[int]) -> list[RunRecord]:
    assert _MODEL is not None
    return run_batch(_MODEL, seed, runs)


def local_backend(model: SimModel, seed: int, runs: int, workers: int,
                  tick: Callable[[int], None]) -> Generator[RunRecord, None, None]:
    """Runs on local processes (in this process when ``workers`` is 1)."""
    if workers <= 1:
        for i in range(runs):
            yield run_one(model, seed, i)
            tick(1)
        return
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    shared(model)  # built once here; forked workers inherit it
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    before = set(mp.active_children())
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                               initializer=_init_worker, initargs=(model,))
    finished = False
    try:
        pending = {pool.submit(_local_batch, seed, b) for b in batches(runs, workers)}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                recs = fut.result()
                yield from recs
                tick(len(recs))
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:  # Ctrl-C or an error: stop the workers now, not after their batches
            _stop_pool(pool, [p for p in mp.active_children() if p not in before])


def _stop_pool(pool: Any, children: list[Any] | None = None) -> None:
    """End a process pool at once: queued batches cancelled, running ones killed.

    ``shutdown(wait=False)`` alone leaves running and queued batches to finish, and the
    interpreter's exit hook then waits for them (a second Ctrl-C there hung the command
    with its workers orphaned). The workers ignore SIGINT; they are terminated here and
    reaped, so the exit hook finds nothing to wait for. SIGINT is ignored meanwhile so a
    second Ctrl-C cannot interrupt the clean-up halfway."""
    old = _ignore_sigint()
    try:
        procs = list((getattr(pool, "_processes", None) or {}).values())
        # and every child started since the pool was made: the pool's own list has
        # missed a worker on a loaded machine (two CI runs saw one alive after close)
        procs += [p for p in children or [] if p not in procs]
        pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(5.0)
            if p.is_alive():
                p.kill()
                p.join(5.0)
        pool.shutdown(wait=True)  # the manager thread sees the workers gone and ends
        for p in procs:  # a loaded machine may reap a killed worker late
            if p.is_alive():
                p.kill()
                p.join()
    finally:
        _restore_sigint(old)


def _ignore_sigint() -> Any:
    try:
        return signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: leave signals alone
        return None


def _restore_sigint(old: Any) -> None:
    if old is not None:
        signal.signal(signal.SIGINT, old)


@contextmanager
def _sigint_deferred() -> Generator[list[int], None, None]:
    """Hold Ctrl-C off for a step that must not be cut short: the list it gives is
    non-empty afterwards when one came meanwhile (the caller then stops)."""
    got: list[int] = []
    try:
        old = signal.signal(signal.SIGINT, lambda signum, frame: got.append(signum))
    except ValueError:  # not the main thread: leave signals alone
        yield got
        return
    try:
        yield got
    finally:
        signal.signal(signal.SIGINT, old)


# ----------------------------------------------------------------------- ray
CONNECT_TIMEOUT_S = 5.0  # how long an --address gets to answer before Ray is asked
# An HTTP/2 client preface and an empty SETTINGS frame: Ray's GCS and its Ray Client
# server are gRPC servers, which answer it at once with SETTINGS of their own.
_H2_HELLO = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])


def ray_backend(model: SimModel, seed: int, runs: int, workers: int,
                tick: Callable[[int], None], address: str | None = None
                ) -> Generator[RunRecord, None, None]:
    """Runs as Ray tasks: on the cluster at ``address``, or a local Ray instance.

    Batches are submitted a window at a time (:func:`_ray_window`), not all at once.
    Ctrl-C (``KeyboardInterrupt`` here, or a batch that ended by one on its worker)
    stops the sweep as on the local backend: the caller keeps the runs yielded so far
    and the batches in flight are dropped. A Ray instance started or joined here is
    shut down (``ray.shutdown``): a local one with its raylet, workers and agents, and
    a cluster ends this job's tasks. On a Ray the caller initialised, the few batches
    in flight finish on their own (a few seconds) and nothing more is submitted.
    Nothing is cancelled: ``ray.cancel`` of a task whose reply is in flight, forced
    or not, crashes Ray's driver (Ray 2.60, ``Check failed ... Tried to complete task
    that was not pending``), which lost every finished run. Ray starts its own
    processes with SIGINT blocked and its workers in process groups of their own, so a
    terminal's Ctrl-C reaches only this process."""
    ray = _import_ray()
    started = False
    if not ray.is_initialized():
        if address:
            _check_reachable(address, ray)
        try:
            if address:
                ray.init(address=address, include_dashboard=False, log_to_driver=False)
            else:  # Ctrl-C meanwhile waits: cut short, Ray leaves its agents running
                with _sigint_deferred() as interrupted:
                    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
                if interrupted:
                    _shutdown_ray(ray)
                    raise KeyboardInterrupt
        except Exception as e:  # any failure to connect is the user's to fix
            _shutdown_ray(ray)  # whatever it started before it failed
            raise BackendError(f"cannot start or reach Ray{f' at {address}' if address else ''}"
                               f": {e}") from None
        started = True
    finished = False
    try:
        task = ray.remote(run_batch)
        ref = ray.put(model)
        todo = iter(batches(runs, workers))
        pending = [task.remote(ref, seed, b) for b in islice(todo, _ray_window(ray, workers))]
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            pending += [task.remote(ref, seed, b) for b in islice(todo, len(done))]
            for recs in _ray_get(ray, done):
                yield from recs
                tick(len(recs))
        finished = True
    finally:
        if started:  # a second Ctrl-C waits for the clean-up
            old = None if finished else _ignore_sigint()
            try:
                _shutdown_ray(ray)
            finally:
                _restore_sigint(old)


def _ray_window(ray: Any, workers: int) -> int:
    """Batches submitted at a time: four per CPU of the cluster (or per worker, if
    more), so every CPU has its next batch queued while no more work than that is left
    to stop when the sweep ends early."""
    cpus = 0
    with suppress(Exception):
        cpus = int(ray.cluster_resources().get("CPU", 0))
    return 4 * max(workers, cpus, 1)


def _ray_get(ray: Any, refs: list[Any]) -> list[list[RunRecord]]:
    """``ray.get``; a batch stopped by Ctrl-C on its worker (where the worker shares the
    terminal's process group) or cancelled reads as the interrupt it was."""
    errors = ray.exceptions
    try:
        return list(ray.get(refs))
    except errors.TaskCancelledError:
        raise KeyboardInterrupt from None
    except errors.RayTaskError as e:
        if isinstance(e.cause, KeyboardInterrupt) or isinstance(e, KeyboardInterrupt):
            raise KeyboardInterrupt from None
        raise


def _shutdown_ray(ray: Any) -> None:
    with suppress(Exception):  # clean-up after another error or Ctrl-C
        ray.shutdown()


def check_address(address: str) -> None:
    """Fail now (``BackendError``) when nothing Ray-like answers at ``address``: the
    simulate command asks before it compiles the model, which takes tens of seconds on
    a large scenario."""
    _check_reachable(address, _import_ray())


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise BackendError("the Ray backend needs the 'ray' extra: pip install "
                           "'corridor[ray]' (or use --backend local)") from None
    return ray


def _check_reachable(address: str, ray: Any) -> None:
    """Fail at once when nothing answers at ``address`` (``host:port`` or
    ``ray://host:port``): ``ray.init`` retries an unreachable cluster for many minutes,
    printing only its own warnings, and has no option to give up sooner. An address
    Ray resolves itself (``auto``, ``local``) is left to Ray."""
    hp = _host_port(address)
    if hp is None:
        return
    host, port = hp
    hosts = [host]
    if "://" not in address and (host in ("localhost", "::1") or host.startswith("127.")):
        with suppress(Exception):  # Ray dials a GCS given as localhost at this node's IP
            hosts.append(ray.util.get_node_ip_address())
    reason = ""
    for h in hosts:
        try:
            with socket.create_connection((h, port), timeout=CONNECT_TIMEOUT_S) as s:
                if _answers(s):
                    return
            reason = reason or (f"the port accepts connections but sent nothing within "
                                f"{CONNECT_TIMEOUT_S:.0f} s (not a Ray server?)")
        except ConnectionRefusedError:
            reason = reason or "connection refused (nothing listens on that port)"
        except TimeoutError:
            reason = reason or f"no answer within {CONNECT_TIMEOUT_S:.0f} s"
        except socket.gaierror:
            reason = reason or f"unknown host '{host}'"
        except OSError as e:
            reason = reason or (e.strerror or str(e))
    raise BackendError(f"cannot reach Ray at {address}: {reason}; is the cluster running "
                       "and the address (host:port, or ray://host:port for Ray Client) "
                       "right?")


def _answers(s: socket.socket) -> bool:
    """Whether the server on ``s`` says anything (or hangs up) when greeted as gRPC
    servers are: a port that accepts and then stays silent (a stuck process, a proxy
    with nothing behind it) would leave ``ray.init`` waiting for ever. Any reply counts,
    a TLS alert included: telling Ray's servers apart is Ray's job."""
    try:
        s.sendall(_H2_HELLO)
        s.recv(1)  # b"" (hung up) is an answer too: ray.init then fails on its own
    except TimeoutError:
        return False
    except OSError:  # reset by the peer: it answered, in its way
        pass
    return True


def _host_port(address: str) -> tuple[str, int] | None:
    """``host`` and ``port`` of ``[ray://]host:port``; None for anything else."""
    rest = address.split("://", 1)[1] if "://" in address else address
    host, sep, port = rest.split("/", 1)[0].rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit():
        return None
    return host, int(port)


@dataclass
class Sweep:
    records: list[RunRecord]
    complete: bool
    wall_seconds: float


def sweep(model: SimModel, seed: int, runs: int, *, backend: str = "local",
          workers: int | None = None, address: str | None = None,
          progress: bool = True) -> Sweep:
    """All runs, in run order; on Ctrl-C the finished runs (``complete`` False)."""
    workers = max(1, workers or os.cpu_count() or 1)
    workers = min(workers, runs) if runs else 1
    records: list[RunRecord] = []
    start = time.perf_counter()
    bar = _Progress(runs, progress)
    if backend == "local":
        gen = local_backend(model, seed, runs, workers, bar.advance)
    elif backend == "ray":
        gen = ray_backend(model, seed, runs, workers, bar.advance, address)
    else:
        raise BackendError(f"unknown backend '{backend}' (local or ray)")
    complete = True
    try:
        with bar:
            for rec in gen:
                records.append(rec)
    except KeyboardInterrupt:
        complete = False
        old = _ignore_sigint()  # a second Ctrl-C must not cut the clean-up short
        try:
            gen.close()  # stops the workers (local) or cancels the tasks (Ray)
        finally:
            _restore_sigint(old)
        if not records:  # nothing finished: nothing to write (the CLI exits 130)
            raise
    records.sort(key=lambda r: r.run)
    return Sweep(records, complete and len(records) == runs, time.perf_counter() - start)


class _Progress:
    """A rich progress bar (or nothing when ``show`` is False)."""

    def __init__(self, total: int, show: bool) -> None:
        self.total, self.show = total, show
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if self.show:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            from corridor.console import err_console

            self._bar = Progress("[progress.description]{task.description}", BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(),
                                 TimeRemainingColumn(), console=err_console, transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task("simulating", total=self.total)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)

    def advance(self, n: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)
