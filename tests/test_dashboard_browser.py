"""The classroom dashboard in a real browser: ``orgchange dashboard`` served on
a free port and driven through Debian's headless Chromium with Playwright,
the way an instructor would use it.

The test selects a preset, plays for several weeks, checks that the week
counters and the plotted data changed, switches to side-by-side mode, steps
and plays both strategies, downloads the time series and a figure, and saves
screenshots of both modes in tests/artifacts/ (dashboard.png and
dashboard_side_by_side.png), with the test's duration in
dashboard_browser.txt. Throughout, it checks that the page works offline:
every request the browser makes goes to the dashboard on 127.0.0.1 and
succeeds, and the server never tries to fetch a browser asset from the
internet. Finally Ctrl-C (SIGINT) must stop the server cleanly while the page
is still playing.

Chromium is Debian's (never a browser downloaded by Playwright); without it
the test is skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytest.importorskip("solara", reason='the dashboard needs its extra: pip install "orgchange[dashboard]"')
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is a dev dependency: pip install -e '.[dev]'")

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
_SCRIPT = Path(sys.executable).with_name("orgchange")
ORGCHANGE = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "simulation.cli"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 1800}
TIMEOUT_MS = 90_000
"""Longest wait for any one thing on the page (a slow CI machine draws a frame in about a second)."""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """``orgchange dashboard --port P`` in its own process, serving; killed at the end whatever happens.
    Yields the process, its address and the path of its log."""
    port = free_port()
    log_path = tmp_path / "server.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen([*ORGCHANGE, "dashboard", "--port", str(port)], stdout=log,
                                   stderr=subprocess.STDOUT, cwd=tmp_path, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"the dashboard exited with {process.returncode}:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the dashboard did not serve {url} within 120 s:\n{log_path.read_text()}")
            time.sleep(0.25)
        yield process, url, log_path
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def is_local(url: str, netloc: str) -> bool:
    """Whether a request stays on the dashboard's server (data: URLs carry
    their own bytes; blob: URLs name bytes the page already holds)."""
    if url.startswith("data:"):
        return True
    if url.startswith("blob:"):
        url = url[len("blob:"):]
    parsed = urlparse(url)
    return parsed.scheme in ("http", "ws") and parsed.netloc == netloc


def week(page) -> int:
    """The week our headline shows."""
    return int(re.search(r"Week (\d+)", page.locator(".orgchange-week").inner_text()).group(1))


def wait_for_week(page, at_least: int) -> None:
    page.wait_for_function(
        "n => { const e = document.querySelector('.orgchange-week');"
        " const m = e && e.textContent.match(/Week (\\d+)/); return m && Number(m[1]) >= n; }",
        arg=at_least, timeout=TIMEOUT_MS)


@pytest.mark.slow
@pytest.mark.skipif(chromium() is None, reason="Debian's chromium is not installed (apt-get install chromium; "
                                               ".ci/run installs it)")
def test_an_instructor_picks_a_preset_plays_and_compares_side_by_side(server):
    started = time.perf_counter()
    process, url, log_path = server
    netloc = urlparse(url).netloc
    requests, failures = [], []
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(TIMEOUT_MS)
            page.on("request", lambda r: requests.append(r.url))
            page.on("requestfailed", lambda r: failures.append(f"{r.url}: {r.failure}"))
            page.on("response", lambda r: failures.append(f"{r.url}: HTTP {r.status}") if r.status >= 400 else None)
            page.goto(url)
            page.locator(".orgchange-week").wait_for()
            assert week(page) == 0

            # Select a preset: its description shows and the run restarts with it.
            page.locator(".orgchange-preset").first.click()
            page.get_by_role("option", name="Mandate", exact=True).click()
            page.get_by_text("Structure only.").first.wait_for()
            page.locator(".orgchange-summary", has_text="Mandate:").wait_for()
            plots_before = page.locator(".orgchange-plots").screenshot()
            summary_before = page.locator(".orgchange-summary").inner_text()

            # Play for several weeks, then pause.
            page.get_by_role("button", name="▶").click()
            wait_for_week(page, 6)
            page.get_by_role("button", name="❚❚").click()
            page.get_by_role("button", name="▶").wait_for()
            played = week(page)
            assert played >= 6
            # Mesa's own step counter: "Step: N" on Mesa 3.3, "Time: N.0" on 3.5.
            counter = page.get_by_text(re.compile(r"^(Step|Time): \d")).inner_text()
            assert float(counter.split(": ")[1]) >= 6, counter
            assert page.locator(".orgchange-plots").screenshot() != plots_before, "the plotted data changed"
            assert page.locator(".orgchange-summary").inner_text() != summary_before
            page.screenshot(path=ARTIFACTS / "dashboard.png", full_page=True)

            # Side by side: a second strategy on the same seed, from week 0, stepping with the first.
            page.get_by_text("Side by side: compare with a second strategy").click()
            page.get_by_text("Second strategy (dashed lines)").first.wait_for()
            page.locator(".orgchange-summary", has_text="Business as usual:").wait_for()
            assert page.locator(".orgchange-summary").count() == 2
            assert week(page) == 0
            for k in range(1, 3):
                page.get_by_role("button", name="Step").click()
                wait_for_week(page, k)
            page.get_by_role("button", name="▶").click()
            wait_for_week(page, 10)
            page.get_by_role("button", name="❚❚").click()
            page.get_by_role("button", name="▶").wait_for()
            assert page.locator(".orgchange-description").count() == 2
            assert not page.get_by_text("Model Parameters").is_visible(), "Mesa's empty card is hidden"
            page.screenshot(path=ARTIFACTS / "dashboard_side_by_side.png", full_page=True)
            assert page.get_by_role("alert").count() == 0, "no error boxes"

            # The downloads: the time series of both strategies, and the figures as PNG.
            with page.expect_download() as download:
                page.get_by_role("button", name="Time series (CSV)").click()
            csv = Path(download.value.path()).read_text(encoding="utf-8")
            assert csv.startswith("preset,strategy,week,") and "business_as_usual,Business as usual," in csv
            with page.expect_download() as download:
                page.get_by_role("button", name="Network (PNG)").click()
            assert Path(download.value.path()).read_bytes().startswith(b"\x89PNG")
            assert download.value.suggested_filename.endswith("-network.png")

            # Offline: the browser asked only the dashboard, and got everything it asked for.
            outside = [u for u in requests if not is_local(u, netloc)]
            assert not outside, f"requests beyond {netloc}: {outside}"
            assert not failures, f"failed requests: {failures}"
            assert any("/_solara/cdn/" in u for u in requests), "the assets come through Solara's local route"

            # Ctrl-C stops the server cleanly, even with the page open and playing.
            page.get_by_role("button", name="▶").click()
            wait_for_week(page, week(page) + 1)
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=60) == 0
        finally:
            browser.close()

    log = log_path.read_text(encoding="utf-8")
    assert "Could not load URL" not in log, f"the server tried to fetch an asset from the internet:\n{log}"
    assert "orgchange dashboard: stopped" in log

    duration = time.perf_counter() - started
    (ARTIFACTS / "dashboard_browser.txt").write_text(
        f"test_dashboard_browser: {duration:.1f} s (Python {sys.version.split()[0]}); played to week {played}\n",
        encoding="utf-8")
    print(f"\nbrowser test: {duration:.1f} s")
