"""The report in a real browser: headless Debian Chromium with every request
but the report's own file:// URL aborted. No console errors, no failed
requests, every section shown, the map drawn, and a screenshot that is not
blank. These tests must run in CI (.ci/run installs chromium); they fail,
never skip, when the browser is missing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corridor.report.palette import LAND

from . import png
from .test_html import SECTIONS

CHROMIUM = Path(os.environ.get("CORRIDOR_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-default-apps", "--disable-extensions"]
_KEEP = os.environ.get("CORRIDOR_SCREENSHOT_DIR", "")
SCREENSHOT_DIR = Path(_KEEP) if _KEEP else None

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium package "
                    "(apt-get install -y chromium) or set CORRIDOR_CHROMIUM", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _open(browser: Any, html: Path) -> tuple[Any, dict[str, list[str]]]:
    """The page, fully rendered, and what went wrong while loading it."""
    seen: dict[str, list[str]] = {"errors": [], "failed": [], "blocked": [], "requests": []}
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    own = html.resolve().as_uri()

    def route(r: Any) -> None:
        url = r.request.url
        if url == own:
            r.continue_()
        else:
            seen["blocked"].append(url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("requestfailed", lambda r: seen["failed"].append(r.url))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.goto(own, wait_until="load")
    # Every figure div has been drawn by plotly.js (it adds the class and an svg).
    page.wait_for_function(
        "() => [...document.querySelectorAll('div[id^=\"fig-\"]')]"
        ".every(d => d.classList.contains('js-plotly-plot') && d.querySelector('svg.main-svg'))",
        timeout=30_000)
    return page, seen


def test_report_renders_offline(browser: Any, report_html: Path, tmp_path: Path) -> None:
    page, seen = _open(browser, report_html)
    assert seen["errors"] == [], f"console errors: {seen['errors']}"
    assert seen["blocked"] == [], f"the report tried to fetch: {seen['blocked']}"
    assert seen["failed"] == [], f"failed requests: {seen['failed']}"
    assert [u for u in seen["requests"] if not u.startswith("file://")] == []

    for s in SECTIONS:
        assert page.locator(f"section#{s}").is_visible(), f"section #{s} not shown"
        assert page.locator(f"section#{s} h2").inner_text().strip()
    n_divs = page.locator("div[id^='fig-']").count()
    assert n_divs >= 10
    assert page.locator(".js-plotly-plot").count() == n_divs

    # The map: outlines (many filled country paths) and one marker per node.
    for fig in ("#fig-map", "#fig-map-theatre"):
        assert page.locator(f"{fig} svg.main-svg").first.is_visible()
    longest = page.evaluate("() => Math.max(...[...document.querySelectorAll("
                            "'#fig-map .geo .scatterlayer path')]"
                            ".map(p => (p.getAttribute('d') || '').length))")
    assert longest > 20_000, f"country outlines not drawn (longest path {longest} chars)"
    assert page.locator("#fig-map .geo .scatterlayer .point").count() >= 13

    # The first screen (what a reader sees on opening) must not be blank; the whole
    # page is saved too (CORRIDOR_SCREENSHOT_DIR keeps it) for people to look at.
    shot = tmp_path / "report-first-screen.png"
    page.screenshot(path=str(shot))
    full = page.screenshot(full_page=True)
    assert full.startswith(png.SIGNATURE) and len(full) > len(shot.read_bytes())
    if SCREENSHOT_DIR is not None:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        (SCREENSHOT_DIR / "report.png").write_bytes(full)
    width, height, rows = png.decode(shot.read_bytes())
    assert (width, height) == (1400, 1000)
    counts = png.colour_counts(rows)
    total = sum(counts.values())
    white = counts.get(b"\xff\xff\xff", 0)
    assert len(counts) > 200, f"only {len(counts)} colours: blank screenshot?"
    assert white / total < 0.95, "screenshot is almost all white"

    # The map itself, by element screenshot: land fill of the shipped outlines is there.
    _, _, map_rows = png.decode(page.locator("#fig-map").screenshot())
    land = bytes.fromhex(LAND.lstrip("#"))
    map_counts = png.colour_counts(map_rows)
    assert map_counts.get(land, 0) / sum(map_counts.values()) > 0.1, "no land drawn on the map"
    page.close()


def test_report_prints(browser: Any, report_html: Path, tmp_path: Path) -> None:
    """Print media: the page still lays out (PDF of several pages), nav hidden."""
    page, seen = _open(browser, report_html)
    page.emulate_media(media="print")
    assert not page.locator("nav.toc").is_visible()
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") > 3
    assert seen["errors"] == [] and seen["blocked"] == []
    page.close()


def test_figures_exported_as_png_and_svg(run_folder: Path, tmp_path: Path) -> None:
    """With kaleido (and a browser for it), every figure comes as PNG and SVG."""
    import kaleido  # noqa: F401 - the images need it: missing, this fails (never skips)
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} not found", pytrace=False)
    from corridor.report.build import build_report

    out = build_report([run_folder / "plan"], tmp_path / "r.html", images=True)
    figs = sorted((tmp_path / "r_figures").iterdir())
    stems = {p.stem for p in figs}
    assert {"map", "gantt", "closure-movements"} <= stems
    for stem in stems:
        png_bytes = (tmp_path / "r_figures" / f"{stem}.png").read_bytes()
        assert png_bytes.startswith(png.SIGNATURE)
        svg = (tmp_path / "r_figures" / f"{stem}.svg").read_text("utf-8")
        assert "<svg" in svg[:500]
    assert out.is_file()
