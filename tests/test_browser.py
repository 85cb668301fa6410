"""End to end: the real dashboard in a real headless Chromium, over the bundled seeds.

Uses Debian's ``/usr/bin/chromium`` (installed by ``make``), never a downloaded browser. Run
alone with ``pytest -m browser``; screenshots land in the test's tmp_path.
"""

from __future__ import annotations

import html
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ingest import seeds, store
from tests.conftest import REPO

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# url path, title, whether the page draws charts
PAGES = [("", "Overview", False), ("partnerships", "Partnerships", True),
         ("posture", "Troop posture", True), ("articles", "Articles", False),
         ("sources", "Sources", True), ("review", "Review", False),
         ("alerts", "Alerts", False)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"streamlit did not answer within 60 s:\n{log.read_text()}")


@contextmanager
def serve(db_path: Path, log: Path) -> Iterator[str]:
    """``streamlit run dashboard.py`` on ``db_path`` on a free port; yields the base URL."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install"
                    " --no-install-recommends chromium`, done by `make`); this test never"
                    " downloads a browser")
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard.py"),
             "--server.port", str(port), "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=REPO, env={**os.environ, "MONITOR_DB": str(db_path)},
            stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dashboard")
    db_path = folder / "monitor.db"
    db = store.open_db(db_path)
    seeds.ingest_folder(db, REPO / "seeds")
    db.conn.close()
    with serve(db_path, folder / "streamlit.log") as url:
        yield url, folder


def test_every_page_renders_in_chromium(dashboard):
    from playwright.sync_api import sync_playwright

    url, folder = dashboard
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2600})
        try:
            for path, title, has_charts in PAGES:
                page.goto(f"{url}/{path}")
                page.get_by_role("heading", name=title, exact=True).first.wait_for(
                    timeout=30_000)
                if has_charts:
                    page.locator(".vega-embed canvas, .vega-embed svg").first.wait_for(
                        timeout=30_000)
                page.wait_for_timeout(1_000)  # let the last chart finish drawing
                page.screenshot(path=str(folder / f"{path or 'overview'}.png"), full_page=True)
                assert page.locator('[data-testid="stException"]').count() == 0, path
                assert page.locator('[data-testid="stAlertContentError"]').count() == 0, path
        finally:
            browser.close()


def hover(page, shape, tooltip) -> str:
    """Move the mouse onto a chart mark until its tooltip shows; the tooltip's HTML.

    Vega reacts to mouse moves, not to a jump. A page still laying out on a busy machine can
    move the mark between measuring it and reaching it, so the mark is measured again and
    reached again a few times before the test fails."""
    for _ in range(4):
        shape.scroll_into_view_if_needed()
        box = shape.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x - 20, y - 20)
        page.mouse.move(x, y, steps=5)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            if tooltip.is_visible():
                return tooltip.inner_html()
            page.wait_for_timeout(100)
    pytest.fail(f"no tooltip appeared over {box}")


# A feed title that would run script if a chart tooltip rendered it as HTML.
LIVE_NAME = '<img src=x onerror="window.__pwned = 1"> Outlet **feed**'


def test_chart_tooltips_show_hostile_names_as_text(tmp_path):
    """Vega's tooltips are HTML: a source name that reaches one must arrive escaped, inert."""
    from playwright.sync_api import sync_playwright

    from tests.faults.conftest import build_hostile_db

    db_path = tmp_path / "hostile.db"
    build_hostile_db(db_path, source_name=LIVE_NAME).conn.close()
    dialogs: list[str] = []
    with serve(db_path, tmp_path / "streamlit.log") as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2600})
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        try:
            # The source chart's bars and the posture timeline's points show the source.
            for path, marks in [("sources", "g.role-mark.mark-rect path"),
                                ("posture", "g.role-mark.mark-symbol path")]:
                page.goto(f"{url}/{path}")
                shapes = page.locator(f".vega-embed {marks}")
                shapes.first.wait_for(timeout=30_000)
                page.wait_for_timeout(1_500)  # let every chart and table below finish drawing
                tooltip = page.locator("#vg-tooltip-element")
                shown = [hover(page, shapes.nth(n), tooltip) for n in range(shapes.count())]
                # Escaped, the name reads as text; rendered, it would be an <img> element.
                assert all("<img" not in body and "<script" not in body for body in shown), shown
                assert any(html.escape(LIVE_NAME, quote=False) in body for body in shown), shown
                assert page.locator(".vega-embed img, .vega-embed foreignObject").count() == 0
            assert page.evaluate("window.__pwned") is None
            assert dialogs == []
        finally:
            browser.close()
