"""The guard that runs the simulator's sources when compiled modules are stale."""

from __future__ import annotations

import os
from pathlib import Path

from corridor.sim import COMPILED, _stale


def _touch(path: Path, mtime: float) -> None:
    path.write_text("", encoding="utf-8")
    os.utime(path, (mtime, mtime))


def test_nothing_compiled_is_not_stale(tmp_path: Path) -> None:
    for name in COMPILED:
        _touch(tmp_path / f"{name}.py", 100.0)
    assert _stale(tmp_path) == []


def test_compiled_modules_older_than_their_source_are_stale(tmp_path: Path) -> None:
    for name in COMPILED:
        _touch(tmp_path / f"{name}.py", 100.0)
        _touch(tmp_path / f"{name}.cpython-311-x86_64-linux-gnu.so", 200.0)
    assert _stale(tmp_path) == []
    _touch(tmp_path / "slots.pxd", 300.0)  # declarations changed since the build
    _touch(tmp_path / "engine.py", 300.0)  # source edited since the build
    assert _stale(tmp_path) == ["slots", "engine"]


def test_only_some_compiled_runs_all_from_source(tmp_path: Path) -> None:
    for name in COMPILED:
        _touch(tmp_path / f"{name}.py", 100.0)
    _touch(tmp_path / "slots.cpython-311-x86_64-linux-gnu.so", 200.0)
    assert set(_stale(tmp_path)) == set(COMPILED) - {"slots"}


def test_sources_written_with_the_build_are_not_stale(tmp_path: Path) -> None:
    # a wheel install writes both within a second or so, in any order
    for name in COMPILED:
        _touch(tmp_path / f"{name}.cpython-311-x86_64-linux-gnu.so", 200.0)
        _touch(tmp_path / f"{name}.py", 201.0)
    assert _stale(tmp_path) == []
