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
# title, url path, whether the page draws charts on the demo
PAGES = [("Overview", "", True), ("Partnerships", "partnerships", True),
         ("Troop posture", "posture", True), ("Articles", "articles", False),
         ("Sources", "sources", True), ("Review", "review", False),
         ("Events", "events", False), ("Alerts", "alerts", False)]
# Set to a folder (``make screenshots``: docs/img) to keep a small copy of each demo page.
SCREENSHOTS = os.environ.get("MONITOR_SCREENSHOTS")


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


def build(kind: str, path: Path) -> None:
    db = store.open_db(path)
    if kind == "demo":
        seeds.ingest_folder(db, REPO / "seeds")
    db.conn.close()


def slug(title: str) -> str:
    return title.lower().replace(" ", "-")


def keep_small(shot: Path, folder: Path) -> None:
    """A copy for the guide: the top of the page, 1,000 px wide, in 256 colours (a few
    dozen KB instead of a megabyte)."""
    from PIL import Image

    with Image.open(shot) as image:
        top = image.crop((0, 0, image.width, min(image.height, 2000)))
        small = top.resize((1000, round(top.height * 1000 / top.width)), Image.LANCZOS)
        small.convert("RGB").quantize(colors=256).save(folder / shot.name, optimize=True)


@pytest.mark.parametrize("kind", ["demo", "empty"])
def test_every_page_renders_in_chromium(tmp_path, kind):
    """Every page, reached as an analyst does (the sidebar), on the bundled demo and on an
    empty database: no Streamlit exception, no error box, no browser console error; the
    Overview shows its charts and the map. A screenshot of each page lands in tmp_path."""
    from playwright.sync_api import sync_playwright

    db_path = tmp_path / f"{kind}.db"
    build(kind, db_path)
    problems: list[str] = []
    with serve(db_path, tmp_path / "streamlit.log") as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        # Tall: Streamlit scrolls its own main area, so a "full page" shot is the viewport.
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        page.on("console", lambda message: problems.append(message.text)
                if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        try:
            page.goto(url)
            for title, path, has_charts in PAGES:
                page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
                page.wait_for_url(f"{url}/{path}", timeout=30_000)
                if kind == "empty" and title not in ("Sources", "Alerts"):  # how to ingest
                    page.get_by_text("The database is empty").first.wait_for(timeout=30_000)
                else:
                    page.get_by_role("heading", name=title, exact=True).first.wait_for(
                        timeout=30_000)
                if kind == "demo" and has_charts:
                    page.locator(".vega-embed svg, .vega-embed canvas").first.wait_for(
                        timeout=30_000)
                page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=30_000)
                page.wait_for_timeout(1_500)  # let the last chart finish drawing
                if kind == "demo" and title == "Overview":
                    page.locator(".vega-embed").nth(1).wait_for(timeout=30_000)
                    # the map: Africa's 56 countries drawn as shapes, with the forces on them
                    page.locator(".vega-embed g.mark-shape path").nth(55).wait_for(
                        timeout=30_000)
                    assert page.locator(".vega-embed g.mark-symbol path").count() >= 10
                shot = tmp_path / f"{kind}-{slug(title)}.png"
                page.screenshot(path=str(shot), full_page=True)
                if SCREENSHOTS and kind == "demo":
                    keep_small(shot, Path(SCREENSHOTS))
                assert page.locator('[data-testid="stException"]').count() == 0, title
                assert page.locator('[data-testid="stAlertContentError"]').count() == 0, title
        finally:
            browser.close()
    assert problems == [], problems


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
