"""The stochastic simulator: an event kernel of our own, carriers, disruptions, dispatch
(plan-following or priority / earliest due date), the medical chain and Monte Carlo
backends (local processes, Ray). See docs/simulator.md.

``simulate`` and ``SimResult`` are imported on first use so that ``corridor --help``
stays fast.

The hot modules (``COMPILED``) are compiled with Cython when the package is installed
(pyproject.toml); their ``.py`` files are the source and run as they are when no
compiled module is there. A compiled module older than its source (edited since the
last ``pip install -e .``) would run stale code, so then all of them run from source
(they share C-level types) and a warning says to rebuild.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

STALE_AFTER_S = 5.0  # a source this much newer than its build was edited since
COMPILED = ("search", "kernel", "slots", "disruptions", "queues", "state", "carriers",
            "dispatch", "engine", "medical")

if TYPE_CHECKING:
    from corridor.sim.api import SimResult, simulate

__all__ = ["SimResult", "simulate"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from corridor.sim import api

        return getattr(api, name)
    raise AttributeError(f"module 'corridor.sim' has no attribute '{name}'")


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Imports the compiled modules from their ``.py`` sources."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def find_spec(self, fullname: str, path: object = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        pkg, _, name = fullname.rpartition(".")
        if pkg != __name__ or name not in COMPILED:
            return None
        return importlib.util.spec_from_file_location(fullname, self.folder / f"{name}.py")


def _stale(folder: Path) -> list[str]:
    """Compiled modules older than their source or declarations (.py, .pxd), or all of
    them when only some are compiled."""
    out, missing = [], []
    for name in COMPILED:
        built = [p.stat().st_mtime for p in folder.glob(f"{name}.*.so")] + \
            [p.stat().st_mtime for p in folder.glob(f"{name}.*.pyd")]
        if not built:
            missing.append(name)
            continue
        src = [p.stat().st_mtime for p in (folder / f"{name}.py", folder / f"{name}.pxd")
               if p.exists()]
        # a wheel install writes sources and builds in the same second, in any order
        if max(src, default=0.0) > min(built) + STALE_AFTER_S:
            out.append(name)
    return out or (missing if len(missing) < len(COMPILED) else [])


def _guard() -> None:
    folder = Path(__file__).parent
    stale = _stale(folder)
    if stale:
        warnings.warn(f"corridor.sim: compiled {', '.join(stale)} missing or older than "
                      "the source; "
                      "running the Python sources (rebuild: pip install -e .)", stacklevel=2)
        sys.meta_path.insert(0, _SourceFinder(folder))


_guard()
