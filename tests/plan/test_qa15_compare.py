"""QA15 F6: ``corridor compare`` lists the sustainment chunks (summary.json
``sustainment``, matched by ``id``) whose closure, lateness or tonnes arrived differ,
as it lists movements, and counts them in its last line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from corridor.cli import app

runner = CliRunner()


def _chunk(due: float, closure: float | None, arrived: float) -> dict[str, Any]:
    return {"id": f"supply1:V@B/day{due:g}", "supply": "supply1:V@B", "due_day": due,
            "ready_day": due, "closure_day": closure,
            "late_days": None if closure is None else max(0.0, closure - due),
            "t": 25.0, "arrived_t": arrived, "share_arrived": arrived / 25.0,
            "on_time": closure is not None and closure <= due}


def _folder(tmp: Path, name: str, chunks: list[dict[str, Any]], unmet: int) -> Path:
    out = tmp / name
    out.mkdir()
    sm = {"format": "corridor-result/1", "kind": "plan", "scenario": "supply",
          "status": "optimal", "closure_day": 0.42, "priority_weighted_late_days": 0.0,
          "movements": [{"id": "m1", "due_day": 1.0, "closure_day": 0.42, "late_days": 0.0}],
          "sustainment": chunks, "bottlenecks": [],
          "unmet": [{"movement": "supply1:V@B"}] * unmet}
    (out / "summary.json").write_text(json.dumps(sm), encoding="utf-8")
    return out


def test_compare_lists_the_sustainment_chunks_that_changed(tmp_path: Path) -> None:
    """Depot stock 100 t → 50 t: of four 25 t chunks due days 2, 3.25, 4.5 and 5.75 the
    last two no longer arrive (50 t is two chunks). The chunks that did not change are
    not listed; m1 is unchanged."""
    full = [_chunk(2, 2.0, 25), _chunk(3.25, 3.25, 25), _chunk(4.5, 4.5, 25),
            _chunk(5.75, 5.75, 25)]
    short = [_chunk(2, 2.0, 25), _chunk(3.25, 3.25, 25), _chunk(4.5, None, 0),
             _chunk(5.75, None, 0)]
    a, b = _folder(tmp_path, "a", full, 0), _folder(tmp_path, "b", short, 1)
    res = runner.invoke(app, ["compare", str(a), str(b)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    for due in ("4.5", "5.75"):
        row = next(x for x in lines if f"supply1:V@B/day{due} " in x)
        assert "no longer closes" in row and "25" in row and f"{float(due):.2f}" in row
    assert not any("supply1:V@B/day2 " in x or "day3.25 " in x for x in lines)
    assert "cannot close: 0 → 1" in res.output
    assert "0 movement(s) changed, 2 sustainment chunk(s) changed" in res.output

    same = runner.invoke(app, ["compare", str(a), str(a)], env={"COLUMNS": "200"})
    assert "0 movement(s) changed, 0 sustainment chunk(s) changed" in same.output
    assert "sustainment (changed chunks)" not in same.output


def test_compare_shows_a_chunk_that_arrives_later(tmp_path: Path) -> None:
    """A chunk due day 4.5 closing on day 5.0 instead of 4.5 is 0.50 days later."""
    a = _folder(tmp_path, "a", [_chunk(4.5, 4.5, 25)], 0)
    b = _folder(tmp_path, "b", [_chunk(4.5, 5.0, 25)], 0)
    res = runner.invoke(app, ["compare", str(a), str(b)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    row = next(x for x in res.output.splitlines() if "supply1:V@B/day4.5 " in x)
    assert "+0.50" in row and "4.50" in row and "5.00" in row
    assert "1 sustainment chunk(s) changed" in res.output
