"""QA round 16b, Ray backend findings 1 and 4 (/tmp/qa16b/FINDINGS.md).

1. Ctrl-C to the whole process group (as a terminal sends it) must stop a Ray sweep as it
   stops a local one: exit 130, "interrupted: N of M runs kept", the finished runs written
   with ``complete: false``, and no Ray process left. ``ray.cancel`` (forced or not) of
   tasks whose replies were in flight crashed Ray's driver (exit 1, nothing written).
2. An ``--address`` nothing answers at must fail within seconds (exit 2, one line), not
   leave ``ray.init`` retrying for many minutes.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from corridor.scenario import Scenario
from corridor.sim import montecarlo
from corridor.sim.model import compile_model
from corridor.sim.montecarlo import BackendError, sweep
from corridor.sim.options import options_from

ScenarioYaml = Callable[[str], Scenario]

# one truck trip a run: a run takes about a millisecond
QUICK = """format: corridor/1
name: quick
start_date: 2025-01-15
horizon_days: 5
seed: 3
nodes:
  - {id: a, kind: depot, lat: 50, lon: 10}
  - {id: b, kind: staging_area, lat: 50, lon: 11}
links:
  - {id: ab, from: a, to: b, mode: road, distance_km: 60}
carriers:
  - {id: trucks, mode: road, count: 2, home: a, capacity_t: 10, speed_kmh: 60}
movements:
  - {id: m, origin: a, destination: b, ready_day: 0, due_day: 2, supplies_t: 10,
     kind: supply}
"""


def closed_port() -> int:
    """A local port nothing listens on (bound and released here)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ------------------------------------------------- 4: an address nothing answers at
def test_an_unreachable_address_fails_at_once_with_exit_2(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    (tmp_path / "quick.yaml").write_text(QUICK, encoding="utf-8")
    address = f"127.0.0.1:{closed_port()}"
    t = time.perf_counter()
    res = subprocess.run(  # in a process of its own: Ray used to retry for many minutes
        [sys.executable, "-c", "from corridor.cli import main; main()", "simulate",
         str(tmp_path / "quick.yaml"), "--runs", "5", "--backend", "ray", "--address",
         address, "-q", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120)
    assert time.perf_counter() - t < 30
    assert res.returncode == 2, res.stdout + res.stderr
    assert f"cannot reach Ray at {address}: connection refused" in res.stderr
    assert "Traceback" not in res.stderr and not (tmp_path / "out").exists()


def test_an_address_that_does_not_answer_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    ray = pytest.importorskip("ray")

    def silent(*_: object, **__: object) -> socket.socket:
        raise TimeoutError

    monkeypatch.setattr(montecarlo.socket, "create_connection", silent)
    with pytest.raises(BackendError, match=r"cannot reach Ray at ray://head:10001: no "
                                           r"answer within 5 s"):
        montecarlo._check_reachable("ray://head:10001", ray)

    def unknown(*_: object, **__: object) -> socket.socket:
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(montecarlo.socket, "create_connection", unknown)
    with pytest.raises(BackendError, match=r"unknown host 'head'"):
        montecarlo._check_reachable("head:6379", ray)


@pytest.mark.parametrize("address, expected", [
    ("10.0.0.5:6379", ("10.0.0.5", 6379)),
    ("ray://head:10001", ("head", 10001)),
    ("[::1]:6379", ("::1", 6379)),
    ("ray://head:10001/ns", ("head", 10001)),
    ("auto", None),  # Ray resolves these itself
    ("local", None),
    ("head", None),
])
def test_addresses_are_read_as_host_and_port(address: str,
                                             expected: tuple[str, int] | None) -> None:
    assert montecarlo._host_port(address) == expected


# ---------------------------------------------------- 1: Ctrl-C, without a cluster
class FakeRay:
    """Enough of ``ray`` for :func:`montecarlo.ray_backend` on a Ray the caller
    initialised: tasks run when waited for; ``cancel`` must never be called."""

    class exceptions:  # as ray.exceptions
        class TaskCancelledError(Exception):
            pass

        class RayTaskError(Exception):
            cause: BaseException

    def __init__(self, cpus: int, interrupt_after: int | None = None) -> None:
        self.cpus, self.interrupt_after = cpus, interrupt_after
        self.in_flight: list[Any] = []
        self.most_in_flight = 0
        self.collected = 0
        self.shutdowns = 0

    def is_initialized(self) -> bool:
        return True

    def cluster_resources(self) -> dict[str, float]:
        return {"CPU": float(self.cpus)}

    def put(self, x: Any) -> Any:
        return x

    def remote(self, fn: Callable[..., Any]) -> Any:
        fake = self

        class Task:
            @staticmethod
            def remote(*args: Any) -> Any:
                ref = (fn, args)
                fake.in_flight.append(ref)
                fake.most_in_flight = max(fake.most_in_flight, len(fake.in_flight))
                return ref

        return Task

    def wait(self, refs: list[Any], num_returns: int = 1) -> tuple[list[Any], list[Any]]:
        if self.interrupt_after is not None and self.collected >= self.interrupt_after:
            raise KeyboardInterrupt
        done = refs[:num_returns]
        for r in done:
            self.in_flight.remove(r)
        self.collected += len(done)
        return done, refs[num_returns:]

    def get(self, refs: list[Any]) -> list[Any]:
        return [fn(*args) for fn, args in refs]

    def cancel(self, *_: object, **__: object) -> None:
        raise AssertionError("ray.cancel crashes Ray's driver; it must not be called")

    def shutdown(self) -> None:
        self.shutdowns += 1


@pytest.fixture
def quick_model(scenario_yaml: ScenarioYaml) -> Any:
    s = scenario_yaml(QUICK.split("seed: 3\n", 1)[1])
    return compile_model(s, options_from(s))


def test_batches_go_out_a_window_at_a_time(quick_model: Any,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeRay(cpus=3)
    monkeypatch.setitem(sys.modules, "ray", fake)
    res = sweep(quick_model, 5, 400, backend="ray", workers=2, progress=False)
    assert res.complete and [r.run for r in res.records] == list(range(400))
    assert fake.most_in_flight == 4 * 3  # four per CPU of the cluster, not all 50
    assert fake.shutdowns == 0  # the caller's Ray is the caller's to shut down


def test_ctrl_c_keeps_the_finished_batches_and_cancels_nothing(
        quick_model: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeRay(cpus=2, interrupt_after=7)
    monkeypatch.setitem(sys.modules, "ray", fake)
    res = sweep(quick_model, 5, 400, backend="ray", workers=2, progress=False)
    assert not res.complete
    size = len(montecarlo.batches(400, 2)[0])
    assert [r.run for r in res.records] == list(range(7 * size))


def test_a_batch_ended_by_ctrl_c_on_its_worker_reads_as_the_interrupt() -> None:
    ray = pytest.importorskip("ray")
    from ray.exceptions import RayTaskError, TaskCancelledError

    class Raising:
        exceptions = ray.exceptions

        def __init__(self, e: BaseException) -> None:
            self.e = e

        def get(self, refs: list[Any]) -> list[Any]:
            raise self.e

    interrupted = RayTaskError("run_batch", "Traceback ...", KeyboardInterrupt(),
                               pid=1, ip="127.0.0.1", proctitle="ray::run_batch")
    for e in (TaskCancelledError(), interrupted):
        with pytest.raises(KeyboardInterrupt):
            montecarlo._ray_get(Raising(e), [])
    failed = RayTaskError("run_batch", "Traceback ...", ValueError("bad"),
                          pid=1, ip="127.0.0.1", proctitle="ray::run_batch")
    with pytest.raises(RayTaskError):  # a real failure stays one
        montecarlo._ray_get(Raising(failed), [])


# ------------------------------------------------- 1: Ctrl-C, on a local Ray instance
def _session_processes(sid: int) -> list[int]:
    """Live processes of session ``sid`` (zombies left to init are not running)."""
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat[3]) == sid and stat[0] != "Z":
            found.append(int(d))
    return found


@pytest.mark.ray
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_to_the_process_group_keeps_the_runs_and_stops_ray(tmp_path: Path) -> None:
    """The CLI in a session of its own (as a terminal runs it), SIGINT to the whole
    group once its progress bar shows runs done (Ray's own processes share the group)."""
    pytest.importorskip("ray")
    (tmp_path / "quick.yaml").write_text(QUICK, encoding="utf-8")
    out = tmp_path / "out"
    runs = 1_000_000  # never all done
    env = {**os.environ, "TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1", "NO_COLOR": "1",
           "COLUMNS": "120"}  # the progress bar on a pipe: it shows the runs done

    def default_sigint() -> None:  # a background shell starts its jobs ignoring SIGINT
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    p = subprocess.Popen(
        [sys.executable, "-c", "from corridor.cli import main; main()", "simulate",
         str(tmp_path / "quick.yaml"), "--runs", str(runs), "--seed", "4", "--backend",
         "ray", "--workers", "2", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True,
        preexec_fn=default_sigint)
    err: list[str] = []

    def read() -> None:
        assert p.stderr is not None
        while chunk := p.stderr.read1(4096):  # type: ignore[attr-defined]
            err.append(chunk.decode(errors="replace"))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        done = 0
        deadline = time.monotonic() + 60
        while done < 50 and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.2)
            counts = re.findall(rf"(\d+)/{runs}", "".join(err))
            done = int(counts[-1]) if counts else 0
        assert done >= 50, "".join(err)[-2000:]
        os.killpg(p.pid, signal.SIGINT)
        stdout, _ = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    reader.join(5)
    text = stdout.decode(errors="replace")
    assert p.returncode == 130, text + "".join(err)[-2000:]
    m = re.search(rf"interrupted: (\d+) of {runs} runs kept", text)
    assert m, text + "".join(err)[-2000:]
    assert "Check failed" not in "".join(err)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["complete"] is False and summary["runs"] == runs
    assert summary["runs_done"] == int(m.group(1)) >= done
    left = _session_processes(p.pid)
    for _ in range(20):  # Ray's processes end with the driver; give them a moment
        if not left:
            break
        time.sleep(0.5)
        left = _session_processes(p.pid)
    assert not left, [Path(f"/proc/{pid}/cmdline").read_bytes()[:120] for pid in left]


def _serve(reply: Callable[[socket.socket], None]) -> tuple[str, threading.Thread]:
    """A one-connection TCP server on a free local port that calls ``reply`` on it."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)

    def run() -> None:
        with srv:
            conn, _ = srv.accept()
            with conn:
                reply(conn)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return f"127.0.0.1:{srv.getsockname()[1]}", t


def test_a_port_that_accepts_but_never_answers_fails_within_the_timeout(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A stuck process or a proxy with nothing behind it accepts the connection and
    then says nothing: ``ray.init`` would wait for ever, the check gives up."""
    ray = pytest.importorskip("ray")
    monkeypatch.setattr(montecarlo, "CONNECT_TIMEOUT_S", 0.5)
    got: list[bytes] = []
    release = threading.Event()

    def silent(conn: socket.socket) -> None:
        got.append(conn.recv(64))
        release.wait(10)

    address, t = _serve(silent)
    start = time.perf_counter()
    with pytest.raises(BackendError, match=r"accepts connections but sent nothing within"):
        montecarlo._check_reachable(address, ray)
    assert time.perf_counter() - start < 5
    release.set()
    t.join(10)
    assert got and got[0].startswith(b"PRI * HTTP/2.0")  # greeted as gRPC servers are


@pytest.mark.parametrize("reply", [
    lambda c: (c.recv(64), c.sendall(bytes([0, 0, 0, 4, 0, 0, 0, 0, 0]))),  # SETTINGS
    lambda c: None,  # hangs up at once: ray.init then fails on its own, quickly
])
def test_a_server_that_answers_passes_the_check(
        reply: Callable[[socket.socket], None], monkeypatch: pytest.MonkeyPatch) -> None:
    ray = pytest.importorskip("ray")
    monkeypatch.setattr(montecarlo, "CONNECT_TIMEOUT_S", 2.0)
    address, t = _serve(reply)
    montecarlo._check_reachable(address, ray)
    t.join(10)


def test_a_wrong_address_fails_before_the_model_compiles(
        scenario_yaml: ScenarioYaml, monkeypatch: pytest.MonkeyPatch) -> None:
    """Eastern-flank's model takes about 30 s to compile: the address is asked first."""
    pytest.importorskip("ray")
    from corridor.sim import api

    def compile_model(*_: object, **__: object) -> None:
        raise AssertionError("compiled before the address was checked")

    monkeypatch.setattr(api, "compile_model", compile_model)
    address = f"127.0.0.1:{closed_port()}"
    with pytest.raises(BackendError, match=f"cannot reach Ray at {address}: connection "
                                           "refused"):
        api.simulate(scenario_yaml(QUICK), 5, 1, backend="ray", address=address,
                     progress=False)
