"""The ``corridor`` command's entry point (``corridor.entry``): Ctrl-C while the CLI is
still being imported ends the command as one during a command does — "interrupted",
exit status 130 — with no traceback; otherwise it runs the CLI."""

from __future__ import annotations

import importlib.abc
import sys
from types import ModuleType
from typing import Any

import pytest

from corridor import entry


class _CtrlCOnImport(importlib.abc.MetaPathFinder):
    """Raises KeyboardInterrupt when ``corridor.cli`` is imported, as a Ctrl-C there."""

    def find_spec(self, name: str, path: Any, target: ModuleType | None = None) -> None:
        if name == "corridor.cli":
            raise KeyboardInterrupt
        return None


def test_ctrl_c_while_importing_the_cli_exits_130_without_a_traceback(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delitem(sys.modules, "corridor.cli", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_CtrlCOnImport(), *sys.meta_path])
    with pytest.raises(SystemExit) as e:
        entry.main()
    assert e.value.code == 130
    err = capsys.readouterr().err
    assert err == "interrupted\n"


def test_the_entry_point_runs_the_cli(monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["corridor", "--help"])
    with pytest.raises(SystemExit) as e:
        entry.main()
    assert e.value.code == 0
    assert "plan" in capsys.readouterr().out
