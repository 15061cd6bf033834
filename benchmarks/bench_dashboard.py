"""How fast the classroom dashboard plays, as a class sees it.

Serves ``orgchange dashboard`` on a free port, opens it in Debian's headless
Chromium (Playwright, never a downloaded browser) at 1280x720, and for one
strategy and for two side by side, at 300 staff, plays for a while at three
of the speed control's settings: the default ("Normal", 10 weeks a second),
"Fast" (26) and "As fast as the computer can". For each it prints:

* simulated weeks per second, read from the page's own week counter;
* frames per second: how often the page showed a new picture of the plots.

Then, without a browser, the cost of one frame of each figure at the
1280x720 size (drawn as the page draws it, from a snapshot).

The issue's targets (issue 18): at least 10 weeks a second with one strategy
and 6 side by side.

    python benchmarks/bench_dashboard.py            # 10 s of play per setting
    python benchmarks/bench_dashboard.py --seconds 5
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

SPEEDS = ["Normal: 10 weeks a second (a year in 5 s)", "Fast: 26 weeks a second (a year in 2 s)",
          "As fast as the computer can"]
TARGETS = {1: 10.0, 2: 6.0}
"""Weeks a second the issue asks for, by the number of strategies."""
COUNT_FRAMES = """() => {
  if (window.__observer) window.__observer.disconnect();  // one counter at a time
  window.__frames = 0;
  const img = document.querySelector('img.orgchange-plots');
  let shown = img.src;
  window.__observer = new MutationObserver(() => {
    if (img.src !== shown) { shown = img.src; window.__frames += 1; } });
  window.__observer.observe(img, {attributes: true, attributeFilter: ['src']});
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve() -> tuple[subprocess.Popen, str]:
    port = free_port()
    script = Path(sys.executable).with_name("orgchange")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "simulation.cli"]
    process = subprocess.Popen([*command, "dashboard", "--port", str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir(),
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return process, url
        except OSError:
            time.sleep(0.25)
    process.kill()
    raise SystemExit("the dashboard did not start within 120 s")


def week(page) -> int:
    return int(re.search(r"Week (\d+)", page.locator(".orgchange-week").inner_text()).group(1))


def choose(page, picker: str, option: str) -> None:
    page.locator(picker).first.click()
    # Each picker keeps its own (hidden) list in the page: choose in the one open now.
    page.locator(".menuable__content__active").get_by_role("option", name=option, exact=True).click()


def play(page, seconds: float) -> tuple[float, float]:
    """Play for ``seconds`` after a second's warm-up; (weeks/s, frames/s)."""
    page.get_by_role("button", name="Start again").click()
    page.wait_for_function("() => /Week 0 /.test(document.querySelector('.orgchange-week').textContent)")
    page.get_by_role("button", name="▶ Play").click()
    time.sleep(1.0)
    page.evaluate(COUNT_FRAMES)
    start, begun = week(page), time.perf_counter()
    time.sleep(seconds)
    weeks, elapsed = week(page) - start, time.perf_counter() - begun
    frames = page.evaluate("() => window.__frames")
    page.get_by_role("button", name="❚❚ Pause").click()
    page.get_by_role("button", name="▶ Play").wait_for()
    return weeks / elapsed, frames / elapsed


def browser_figures(seconds: float) -> list[tuple[str, str, float, float]]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("needs Debian's chromium (apt-get install chromium)")
    process, url = serve()
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.set_default_timeout(60_000)
            page.goto(url)
            page.locator(".orgchange-week").wait_for()
            for sides in (1, 2):
                if sides == 2:
                    page.get_by_text("Side by side: compare with a second strategy").click()
                    page.locator(".orgchange-summary").nth(1).wait_for()
                for speed in SPEEDS:
                    choose(page, ".orgchange-speed", speed)
                    weeks_per_s, frames_per_s = play(page, seconds)
                    rows.append(("one strategy" if sides == 1 else "side by side", speed, weeks_per_s, frames_per_s))
            browser.close()
    finally:
        process.kill()
        process.wait(timeout=30)
    return rows


def frame_costs(repeats: int = 30) -> list[tuple[str, float]]:
    """Milliseconds per frame of each figure at 1280x720, drawn from snapshots."""
    from simulation.dashboard.classroom import Settings
    from simulation.dashboard.frames import Frames
    from simulation.dashboard.network import NetworkView
    from simulation.dashboard.player import Player
    from simulation.dashboard.plots import TimeseriesView
    from simulation.dashboard.screen import Screen

    rows = []
    for sides in (1, 2):
        snapshots = []
        player = Player(on_frame=snapshots.append, speed=None)
        player.load(Settings(side_by_side=sides == 2))
        player.wait_until_idle()
        for _ in range(repeats):
            player.step(2)
            player.wait_until_idle()
        player.close()
        screen = Screen(1280, 720, sides)
        for name, view, size in (("hospital", NetworkView, screen.network), ("plots", TimeseriesView, screen.plots)):
            frames = Frames(view(snapshots[0], size, week_in_title=False))
            frames.png(snapshots[0])
            begun = time.perf_counter()
            for snapshot in snapshots[1:]:
                frames.png(snapshot)
            per_frame = (time.perf_counter() - begun) / (len(snapshots) - 1) * 1000
            rows.append((f"{name}, {'one strategy' if sides == 1 else 'side by side'}", per_frame))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of play per setting (default 10)")
    args = parser.parse_args()
    print(f"orgchange dashboard, 300 staff, 1280x720, {args.seconds:g} s of play per setting")
    print(f"{'mode':<14} {'speed setting':<44} {'weeks/s':>8} {'frames/s':>9}  target")
    for mode, speed, weeks_per_s, frames_per_s in browser_figures(args.seconds):
        target = TARGETS[1 if mode == "one strategy" else 2]
        print(f"{mode:<14} {speed:<44} {weeks_per_s:8.1f} {frames_per_s:9.1f}  >= {target:g} weeks/s")
    print("\none frame drawn from a snapshot, without a browser (ms):")
    for what, ms in frame_costs():
        print(f"  {what:<28} {ms:6.1f}")


if __name__ == "__main__":
    main()
