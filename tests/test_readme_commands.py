"""The README's two commands are the project's contract with a fresh machine; CI must
run the second one as written, not a variant of it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    install_and_run, test = _readme_commands()[:2]
    assert "corridor run" in install_and_run and "constraints.txt" in install_and_run
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.lstrip().startswith("#")]
    assert test in ci, (test, ci)
    # nothing before it changes what the command does (no environment overrides)
    assert all(not re.match(r"(export )?[A-Z_]+=", line) for line in ci), ci
