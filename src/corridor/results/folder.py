"""Atomic writing of result files (temp file in the same folder + rename) and of
whole result folders (staged beside the target and swapped in: :func:`replace_folder`)."""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas only for the hint: the CLI imports this module for --help
    import pandas as pd

FORMAT = "corridor-result/1"
RUN_FILE = "run.json"  # written by `corridor run` beside its plan/ and simulation/
_UMASK = os.umask(0)
os.umask(_UMASK)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; results are for sharing
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def _clean(obj: Any) -> Any:
    """JSON has no inf/NaN: write them as null so readers never choke."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalars
        return _clean(obj.item())
    return obj


def write_json(path: Path, obj: dict[str, Any]) -> None:
    text = json.dumps(_clean(obj), indent=2, ensure_ascii=False, allow_nan=False)
    atomic_write_text(path, text + "\n")


def write_parquet(path: Path, frame: pd.DataFrame) -> None:
    import io

    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    atomic_write_bytes(path, buf.getvalue())


def read_summary(folder: Path) -> dict[str, Any]:
    p = Path(folder) / "summary.json"
    data: dict[str, Any] = json.loads(p.read_text(encoding="utf-8"))
    return data


class ResultFolderError(Exception):
    """An output folder Corridor will not replace; the message names it and says what to do."""


def _json_object(path: Path) -> dict[str, Any] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def is_result_folder(folder: Path) -> bool:
    """A folder Corridor wrote: ``summary.json`` with a ``corridor-result/`` format
    (results-format.md), or a `corridor run` folder (``run.json``)."""
    folder = Path(folder)
    summary = _json_object(folder / "summary.json")
    if summary is not None and str(summary.get("format", "")).startswith("corridor-result/"):
        return True
    return _json_object(folder / RUN_FILE) is not None


def only_files(*suffixes: str) -> Callable[[Path], bool]:
    """``owned`` for a folder of generated files (a report's CSVs, its figures): a
    folder holding only files with these suffixes."""

    def owned(folder: Path) -> bool:
        return Path(folder).is_dir() and all(p.is_file() and p.suffix in suffixes
                                             for p in Path(folder).iterdir())

    return owned


def check_replaceable(target: str | Path,
                      owned: Callable[[Path], bool] = is_result_folder) -> None:
    """Raise :class:`ResultFolderError` unless ``target`` is absent, an empty folder or
    one ``owned`` recognises: replacing it must never delete a user's own files."""
    target = Path(target)
    if not target.exists():
        return
    if not target.is_dir():
        raise ResultFolderError(f"{target} exists and is not a folder; choose another "
                                "output path (--out)")
    if any(target.iterdir()) and not owned(target):
        raise ResultFolderError(
            f"{target} is not empty and holds files Corridor did not write (a result folder "
            "has a summary.json with a \"format\" field); Corridor replaces its output "
            "folders as a whole, so choose another --out or move those files away")


@contextmanager
def replace_folder(target: str | Path, owned: Callable[[Path], bool] = is_result_folder
                   ) -> Iterator[Path]:
    """Write a folder as a whole: yields an empty staging folder beside ``target`` (same
    parent, so the renames stay on one file system); when the block ends normally the old
    ``target`` is renamed aside, the staged one renamed into place and the old one removed.
    If the block fails (or Ctrl-C) the staging folder is removed and ``target`` is left as
    it was, so readers see the old whole result or the new whole result, never a mix and
    never files left from an earlier run. ``owned`` says which non-empty folders may be
    replaced (:func:`check_replaceable`); :class:`ResultFolderError` otherwise."""
    given = Path(target)  # errors name the path as the user gave it
    check_replaceable(given, owned)
    target = Path(os.path.abspath(given))  # "." has no name to stage beside
    if target.is_symlink():  # replace what the link points to, not the link
        target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".new", dir=target.parent))
    try:
        os.chmod(stage, 0o777 & ~_UMASK)  # mkdtemp makes 0700; results are for sharing
        yield stage
        check_replaceable(given, owned)  # it may have changed during a long write
        _swap(stage, target)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _swap(stage: Path, target: Path) -> None:
    old = stage.with_suffix(".old")  # unique, as the staging name is
    aside = swapped = False
    try:
        with _interrupts_held():
            try:
                os.rename(target, old)
                aside = True
            except FileNotFoundError:
                pass  # no earlier result
            try:
                os.rename(stage, target)
            except BaseException:
                if aside:
                    os.rename(old, target)  # put the old result back
                raise
            swapped = True
    finally:
        if swapped and aside:  # also when a held Ctrl-C is delivered on leaving
            shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Ctrl-C between the two renames would leave neither result in place: hold it until
    both are done, then deliver it to the handler that was installed."""
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous is None:
        yield  # only the main thread gets signals; None: a handler Python cannot restore
        return
    caught: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        signal.raise_signal(signal.SIGINT)
