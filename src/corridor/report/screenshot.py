"""Screenshot of a report for the docs (``docs/report-screenshot.png``).

    python -m corridor.report.screenshot out/eastern-flank/report.html docs/report-screenshot.png

Needs Playwright (a dev dependency) and a Chromium (Debian's ``chromium``
package by default, or ``CORRIDOR_CHROMIUM``). Every request other than the
report itself is aborted, as in the browser test.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def screenshot(html: Path, out: Path, width: int = 1400, height: int = 2000,
               chromium: Path | None = None) -> Path:
    """The top ``width`` x ``height`` px of the rendered report (summary and map)."""
    from playwright.sync_api import sync_playwright

    exe = chromium or Path(os.environ.get("CORRIDOR_CHROMIUM", "/usr/bin/chromium"))
    own = html.resolve().as_uri()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(exe), args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})

        def route(r: Any) -> None:
            if r.request.url == own:
                r.continue_()
            else:
                r.abort()

        page.route("**/*", route)
        page.goto(own, wait_until="load")
        page.wait_for_function("() => [...document.querySelectorAll('div[id^=\"fig-\"]')]"
                               ".every(d => d.querySelector('svg.main-svg'))", timeout=60_000)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        browser.close()
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: python -m corridor.report.screenshot REPORT.html OUT.png")
    print(screenshot(Path(sys.argv[1]), Path(sys.argv[2])))
