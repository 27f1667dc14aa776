"""The report as a file: offline (no external URL anywhere it could be fetched),
plotly.js once, every section, CSV beside it for every table, size limit."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.report.build import build_report
from corridor.results.folder import read_summary, write_json

from .conftest import LATE

SECTIONS = ("summary", "map", "closure", "gantt", "bottlenecks", "disruptions", "losses",
            "medical", "comparison", "scenario")
MAX_BYTES = 15 * 1024 * 1024
EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)  # http://, https://, //host
CSS_URL = re.compile(r"@import\s+(?:url\()?\s*['\"]?([^'\")\s;]+)|url\(\s*['\"]?([^'\")]+)",
                     re.I)
URL_ATTRS = {"src", "href", "srcset", "data", "poster", "action", "formaction", "xlink:href",
             "background", "manifest"}


class _Collector(HTMLParser):
    """Every URL the browser could fetch: URL attributes, inline CSS and <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.ids: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in: str | None = None
        self._attrs: dict[str, str | None] = {}
        self._buf: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(str(a["id"]))
        for k, v in attrs:
            if v is None:
                continue
            if k in URL_ATTRS:
                self.urls += [u.strip().split(" ")[0] for u in v.split(",")] \
                    if k == "srcset" else [v]
            if k == "style":
                self.urls += _css_urls(v)
        if tag in ("style", "script"):
            self._in, self._attrs, self._buf = tag, a, []

    def handle_data(self, data: str) -> None:
        if self._in:
            self._buf.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            text = "".join(self._buf)
            if tag == "style":
                self.urls += _css_urls(text)
            else:
                self.scripts.append((self._attrs, text))
            self._in = None


def _css_urls(css: str) -> list[str]:
    return [a or b for a, b in CSS_URL.findall(css)]


def _parse(path: Path) -> _Collector:
    c = _Collector()
    c.feed(path.read_text(encoding="utf-8"))
    c.close()
    return c


def test_external_url_detector_catches_every_form() -> None:
    """The detector itself: it must flag each way a page can fetch from outside."""
    html = ("<html><head><link rel='stylesheet' href='https://cdn.example/x.css'>"
            "<style>@import 'https://fonts.example/f.css'; "
            "body{background:url(//img.example/a.png)}</style>"
            "<script src='http://cdn.plot.ly/plotly.js'></script></head>"
            "<body><img src='https://t.example/1.png'><div style=\"background: url("
            "'https://x.example/b.png')\"></div><a href='report_tables/a.csv'>ok</a>"
            "</body></html>")
    c = _Collector()
    c.feed(html)
    external = [u for u in c.urls if EXTERNAL.match(u)]
    assert external == ["https://cdn.example/x.css", "https://fonts.example/f.css",
                        "//img.example/a.png", "http://cdn.plot.ly/plotly.js",
                        "https://t.example/1.png", "https://x.example/b.png"]
    assert "report_tables/a.csv" in c.urls


def test_no_external_urls(report_html: Path) -> None:
    c = _parse(report_html)
    external = [u for u in c.urls if EXTERNAL.match(u)]
    assert not external, f"external URLs in the report: {external}"
    assert all(not a.get("src") for a, _ in c.scripts), "scripts must be inline"


def test_plotly_js_embedded_exactly_once(report_html: Path) -> None:
    c = _parse(report_html)
    library = [t for _, t in c.scripts if "Plotly" in t and len(t) > 1_000_000]
    assert len(library) == 1
    text = report_html.read_text(encoding="utf-8")
    assert text.count("plotly.js v") == 1  # the library's banner


def test_every_section_and_figure(report_html: Path) -> None:
    c = _parse(report_html)
    for s in SECTIONS:
        assert s in c.ids, f"section #{s} missing"
    for fig in ("fig-map", "fig-map-theatre", "fig-closure-overall", "fig-closure-movements",
                "fig-gantt", "fig-utilisation", "fig-disruptions", "fig-losses",
                "fig-medical-timeline", "fig-beds"):
        assert fig in c.ids, f"figure {fig} missing"
    assert "corridor run tests/report/transatlantic.yaml" in report_html.read_text("utf-8")


def test_size_limit(report_html: Path) -> None:
    assert report_html.stat().st_size <= MAX_BYTES


def test_every_table_has_its_csv_beside(report_html: Path, run_folder: Path) -> None:
    c = _parse(report_html)
    csvs = [u for u in c.urls if u.endswith(".csv")]
    assert len(csvs) >= 10
    for u in csvs:
        assert (report_html.parent / u).is_file(), u
    movements = pd.read_csv(report_html.parent / "report_tables" / "movements.csv")
    plan = read_summary(run_folder / "plan")
    assert sorted(movements["movement"]) == sorted(m["id"] for m in plan["movements"])
    late = movements.set_index("movement")["plan late (days)"]
    assert late[LATE] > 0 and (late.drop(LATE) == 0).all()
    bottlenecks = pd.read_csv(report_html.parent / "report_tables" / "bottlenecks.csv")
    assert list(bottlenecks["id"]) == [b["id"] for b in plan["bottlenecks"]]
    assert list(bottlenecks["rank"]) == [1, 2, 3]


def test_plan_only_and_simulation_only(run_folder: Path, tmp_path: Path) -> None:
    for sub, missing in (("plan", "losses"), ("simulation", "bottlenecks")):
        out = build_report([run_folder / sub], tmp_path / f"{sub}.html", images=False)
        c = _parse(out)
        for s in ("summary", "map", "closure", "gantt", "bottlenecks", "scenario"):
            assert s in c.ids
        text = out.read_text("utf-8")
        section = text[text.index(f"id='{missing}'"):]
        assert "class='empty'" in section[:section.index("</section>")]


def test_other_results_are_tabled(run_folder: Path, tmp_path: Path) -> None:
    """A comparison folder the report has no special view of is shown generically."""
    cmp_dir = tmp_path / "compare"
    write_json(cmp_dir / "summary.json", {
        "format": "corridor-result/1", "kind": "comparison", "scenario": "transatlantic-test",
        "variants": [{"id": "base", "closure_day": 15.7}, {"id": "+1 train", "closure_day": 14.2}],
    })
    out = build_report([run_folder, cmp_dir], tmp_path / "r.html", images=False)
    assert "comparison" in _parse(out).ids
    variants = pd.read_csv(tmp_path / "r_tables" / "other-1-variants.csv")
    assert list(variants["closure_day"]) == [15.7, 14.2]


def test_cli_report(run_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli.html"
    res = CliRunner().invoke(app, ["report", str(run_folder), "--out", str(out), "--no-images"])
    assert res.exit_code == 0, res.output
    assert out.is_file() and (tmp_path / "cli_tables" / "movements.csv").is_file()


@pytest.mark.parametrize("breakage, message", [
    ("missing", "no such result folder"),
    ("empty", "no summary.json"),
    ("bad_json", "not valid JSON (line 1"),
    ("bad_format", "expected 'corridor-result/1'"),
])
def test_cli_report_bad_folder(tmp_path: Path, breakage: str, message: str) -> None:
    folder = tmp_path / "res"
    if breakage != "missing":
        folder.mkdir()
    if breakage == "bad_json":
        (folder / "summary.json").write_text("{not json", encoding="utf-8")
    if breakage == "bad_format":
        (folder / "summary.json").write_text('{"format": "x", "kind": "plan"}', "utf-8")
    res = CliRunner().invoke(app, ["report", str(folder), "--no-images"])
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output
