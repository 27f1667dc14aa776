"""The built-in scenario library (folders shipped in the package)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEFAULT = "eastern-flank"


def _root() -> Path:
    return Path(str(resources.files("corridor.scenario").joinpath("library")))


def names() -> list[str]:
    root = _root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "scenario.yaml").is_file())


def path(name: str) -> Path | None:
    p = _root() / name
    return p if (p / "scenario.yaml").is_file() else None
