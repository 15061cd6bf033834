"""The classroom dashboard in a real browser: ``orgchange dashboard`` served on
a free port and driven through Debian's headless Chromium with Playwright,
the way an instructor would use it.

* `test_the_guides_20_minute_session` walks through the session of
  docs/dashboard.md step by step at 1280x720, checking on the way that the
  page fits the projector (the hospital and the plots on screen with no
  scrolling, the full width used, no text under 14 px, figures never scaled
  down), that changes made by hand are marked, listed and undone, that the
  Info panel opens, that the downloads record the run's settings, and that
  the page works offline (every request goes to the dashboard and succeeds).
  Finally Ctrl-C (SIGINT) must stop the server cleanly while the page plays.
* `test_the_page_fits_a_1080p_projector` checks the same fit at 1920x1080.
* `test_play_never_freezes` presses Play 50 times at the defaults and 50
  times side by side: the week must advance within 2 s every time, and no
  error may ever show.

Screenshots of every step go to tests/artifacts/ (session_1_*.png and so on,
dashboard_1280x720.png, dashboard_1920x1080.png), with the durations in
dashboard_browser.txt. Chromium is Debian's (never a browser downloaded by
Playwright); without it the tests are skipped.
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
TIMEOUT_MS = 90_000
"""Longest wait for any one thing on the page (a slow CI machine)."""
ADVANCE_S = 2.0
"""After Play, the week on the page must move within this many seconds (issue 18)."""
PRESSES = 50
ERROR_TEXT = re.compile(r"Too many renders|Traceback|Error|error in|stopped:", re.IGNORECASE)

needs_chromium = pytest.mark.skipif(
    not (shutil.which("chromium") or shutil.which("chromium-browser")),
    reason="Debian's chromium is not installed (apt-get install chromium; .ci/run installs it)")


def chromium() -> str:
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


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def open_page(browser, url: str, width: int, height: int):
    page = browser.new_page(viewport={"width": width, "height": height}, accept_downloads=True)
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.locator(".orgchange-week").wait_for()
    page.locator(".orgchange-network").wait_for()
    # The page draws first at a guessed size, then at the window's own once the browser has told it.
    page.wait_for_function("() => { const img = document.querySelector('img.orgchange-plots');"
                           " return img && img.getBoundingClientRect().right >= window.innerWidth - 40; }")
    return page


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


def wait_for_week(page, at_least: int, timeout_ms: int = TIMEOUT_MS) -> None:
    page.wait_for_function(
        "n => { const e = document.querySelector('.orgchange-week');"
        " const m = e && e.textContent.match(/Week (\\d+)/); return m && Number(m[1]) >= n; }",
        arg=at_least, timeout=timeout_ms)


def choose(page, picker_index: int, option: str) -> None:
    """Pick ``option`` in the strategy picker number ``picker_index`` (0: the first strategy)."""
    page.locator(".orgchange-preset").nth(picker_index).click()
    # Each picker keeps its own (hidden) list in the page: choose in the one open now.
    page.locator(".menuable__content__active").get_by_role("option", name=option, exact=True).click()
    summary_shows(page, picker_index, option)


def summary_shows(page, side: int, label: str) -> None:
    """Until the monitors of strategy ``side`` (0 or 1) are those of ``label``: the run has been rebuilt."""
    page.wait_for_function(
        "([k, label]) => { const rows = document.querySelectorAll('.orgchange-summary');"
        " return rows.length > k && rows[k].textContent.trim().startsWith(label + ':'); }",
        arg=[side, label], timeout=TIMEOUT_MS)


def run_to(page, target: int) -> None:
    field = page.locator(".orgchange-target input")
    field.fill(str(target))
    page.get_by_role("button", name=f"Run to week {target}").click()
    wait_for_week(page, target)
    page.get_by_role("button", name="▶ Play").wait_for()  # stopped there
    assert week(page) == target


def errors_shown(page) -> list[str]:
    """Error boxes, and any error text anywhere on the page."""
    boxes = [page.locator(".v-alert").nth(k).inner_text() for k in range(page.locator(".v-alert").count())]
    body = page.locator("body").inner_text()
    return boxes + ERROR_TEXT.findall(body)


SMALL_TEXT_JS = """() => {
  const small = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const box = el.getBoundingClientRect();
    if (!own || box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 14) small.push(`${el.tagName}.${el.className} ${size}px: ${el.textContent.trim().slice(0, 40)}`);
  }
  return small;
}"""
SCALED_FIGURES_JS = """() => [...document.querySelectorAll('img.orgchange-figure')]
  .filter(img => img.naturalWidth > 0 && (img.clientWidth < img.naturalWidth || img.clientHeight < img.naturalHeight))
  .map(img => img.className)"""


def check_fit(page, width: int, height: int, what: str) -> None:
    """The hospital and the main plots are on screen, no scrolling needed;
    the main view runs to the right edge; no text under 14 px; no figure
    shown smaller than drawn."""
    for name in (".orgchange-network", ".orgchange-plots"):
        box = page.locator(name).bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= height + 1, f"{what}: {name} below the fold: {box}"
        assert box["x"] + box["width"] <= width + 1, f"{what}: {name} wider than the window"
    right = page.locator(".orgchange-plots").bounding_box()
    assert right["x"] + right["width"] >= width - 40, f"{what}: the plots stop short of the right edge: {right}"
    small = page.evaluate(SMALL_TEXT_JS)
    assert not small, f"{what}: text under 14 px: {small[:8]}"
    assert not page.evaluate(SCALED_FIGURES_JS), f"{what}: a figure is shown smaller than it was drawn"


@pytest.mark.slow
@needs_chromium
def test_the_guides_20_minute_session(server, browser):
    started = time.perf_counter()
    process, url, log_path = server
    netloc = urlparse(url).netloc
    requests, failures = [], []
    ARTIFACTS.mkdir(exist_ok=True)
    page = open_page(browser, url, 1280, 720)
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failures.append(f"{r.url}: {r.failure}"))
    page.on("response", lambda r: failures.append(f"{r.url}: HTTP {r.status}") if r.status >= 400 else None)

    # 1. Read the picture: the page opens on Business as usual at week 0; click a person; run one year.
    assert week(page) == 0
    page.locator(".orgchange-summary", has_text="Business as usual:").wait_for()
    check_fit(page, 1280, 720, "at 1280x720")
    network = page.locator(".orgchange-network")
    box = network.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.56, box["y"] + box["height"] * 0.6)  # in among the front line
    for _ in range(6):  # a click between two people finds nobody: try a little further along
        if "Click a person" not in page.locator(".orgchange-person").inner_text():
            break
        box = network.bounding_box()
        page.mouse.click(box["x"] + box["width"] * 0.56 + 3 * _, box["y"] + box["height"] * 0.6)
        time.sleep(0.3)
    person = page.locator(".orgchange-person").inner_text()
    assert "commitment" in person and "trust" in person, person
    page.get_by_role("button", name="Info").click()
    page.get_by_text("Things to notice").wait_for()
    page.screenshot(path=ARTIFACTS / "session_0_info.png")
    page.get_by_role("button", name="Close").click()
    page.get_by_role("button", name="Run one year").click()
    wait_for_week(page, 52)
    page.get_by_role("button", name="▶ Play").wait_for()
    assert week(page) == 52
    page.screenshot(path=ARTIFACTS / "session_1_business_as_usual.png")

    # 2. Structure against passion: Mandate and Inspire side by side, to week 104.
    choose(page, 0, "Mandate")
    page.get_by_text("Side by side: compare with a second strategy").click()
    summary_shows(page, 1, "Mandate")
    choose(page, 1, "Inspire")
    assert page.locator(".orgchange-summary").count() == 2
    assert week(page) == 0
    run_to(page, 104)
    check_fit(page, 1280, 720, "side by side at 1280x720")
    page.screenshot(path=ARTIFACTS / "session_2_mandate_vs_inspire.png")
    page.screenshot(path=ARTIFACTS / "dashboard_1280x720.png")

    # 3. Everything at once: Full transformation against Mandate.
    choose(page, 0, "Full transformation")
    choose(page, 1, "Mandate")
    run_to(page, 104)
    page.screenshot(path=ARTIFACTS / "session_3_full_vs_mandate.png")

    # 4. One lever: Leadership rounding for both, then follow-through down on the first.
    choose(page, 0, "Leadership rounding (Site F)")
    choose(page, 1, "Leadership rounding (Site F)")
    slider = page.locator(".orgchange-slider", has_text="Follow-through")
    slider.scroll_into_view_if_needed()
    track = slider.locator(".v-slider").bounding_box()
    page.mouse.click(track["x"] + track["width"] * 0.2, track["y"] + track["height"] / 2)
    page.locator(".orgchange-changes", has_text="Follow-through").wait_for()
    assert "changed by hand" in slider.inner_text()
    page.locator(".orgchange-summary", has_text="(changed)").wait_for()
    page.get_by_role("button", name="Run one year").click()
    wait_for_week(page, 52)
    page.get_by_role("button", name="▶ Play").wait_for()
    trust = page.locator(".orgchange-summary").first.inner_text()
    assert "Trust" in trust and "Cynicism" in trust
    page.screenshot(path=ARTIFACTS / "session_4_follow_through.png")

    # 5. Debrief: the downloads record strategy, seed, size and the change.
    with page.expect_download() as download:
        page.get_by_role("button", name="Time series (CSV)").click()
    csv = Path(download.value.path()).read_text(encoding="utf-8")
    assert "# strategy = leadership_rounding" in csv and "# seed = " in csv and "# staff = 300" in csv
    assert "# changed: follow_through = " in csv
    with page.expect_download() as download:
        page.get_by_role("button", name="Plots (PNG)").click()
    assert Path(download.value.path()).read_bytes().startswith(b"\x89PNG")
    page.locator(".orgchange-changes").get_by_role("button", name="Back to the preset").click()
    page.locator(".orgchange-changes").wait_for(state="detached")  # every change undone: nothing left to list
    page.locator(".orgchange-summary", has_text="(changed)").wait_for(state="detached")  # the run rebuilt
    assert not errors_shown(page)

    # Offline: the browser asked only the dashboard, and got everything it asked for.
    outside = [u for u in requests if not is_local(u, netloc)]
    assert not outside, f"requests beyond {netloc}: {outside}"
    assert not failures, f"failed requests: {failures}"

    # Ctrl-C stops the server cleanly, even with the page open and playing.
    page.get_by_role("button", name="▶ Play").click()
    wait_for_week(page, week(page) + 1)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    log = log_path.read_text(encoding="utf-8")
    assert "Could not load URL" not in log, f"the server tried to fetch an asset from the internet:\n{log}"
    assert "orgchange dashboard: stopped" in log
    record(f"the guide's session: {time.perf_counter() - started:.1f} s")


@pytest.mark.slow
@needs_chromium
def test_the_page_fits_a_1080p_projector(server, browser):
    _, url, _ = server
    ARTIFACTS.mkdir(exist_ok=True)
    page = open_page(browser, url, 1920, 1080)
    check_fit(page, 1920, 1080, "at 1920x1080")
    page.get_by_text("Side by side: compare with a second strategy").click()
    summary_shows(page, 1, "Mandate")
    choose(page, 1, "Inspire")
    choose(page, 0, "Mandate")
    run_to(page, 104)
    check_fit(page, 1920, 1080, "side by side at 1920x1080")
    page.screenshot(path=ARTIFACTS / "dashboard_1920x1080.png")


@pytest.mark.slow
@needs_chromium
def test_play_never_freezes(server, browser):
    """Play, see the week move within 2 s, pause: 50 times at the defaults, then 50 times side by side."""
    started = time.perf_counter()
    _, url, log_path = server
    page = open_page(browser, url, 1280, 720)
    slowest = 0.0
    for mode in ("defaults", "side by side"):
        if mode == "side by side":
            page.get_by_text("Side by side: compare with a second strategy").click()
            summary_shows(page, 1, "Mandate")
        for press in range(PRESSES):
            before = week(page)
            pressed = time.perf_counter()
            page.get_by_role("button", name="▶ Play").click()
            try:
                wait_for_week(page, before + 1, timeout_ms=int(ADVANCE_S * 1000))
            except sync_api.TimeoutError:
                pytest.fail(f"{mode}, press {press + 1}: the week stayed at {before} for {ADVANCE_S} s\n"
                            f"{log_path.read_text(encoding='utf-8')[-3000:]}")
            slowest = max(slowest, time.perf_counter() - pressed)
            page.get_by_role("button", name="❚❚ Pause").click()
            page.get_by_role("button", name="▶ Play").wait_for()
            shown = errors_shown(page)
            assert not shown, f"{mode}, press {press + 1}: {shown}"
            if week(page) > 200:  # keep the run in its five years: start again now and then
                page.get_by_role("button", name="Start again").click()
                wait_for_week(page, 0)
                page.wait_for_function("() => /Week 0 /.test(document.querySelector('.orgchange-week').textContent)")
    log = log_path.read_text(encoding="utf-8")
    assert "Traceback" not in log and "Too many renders" not in log, log[-3000:]
    record(f"{2 * PRESSES} presses of Play: {time.perf_counter() - started:.1f} s; slowest advance {slowest:.2f} s")


def record(line: str) -> None:
    """Add a line to tests/artifacts/dashboard_browser.txt."""
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / "dashboard_browser.txt", "a", encoding="utf-8") as out:
        out.write(f"{line} (Python {sys.version.split()[0]})\n")
    print(f"\n{line}")
