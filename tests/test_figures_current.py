"""The README's top figure is current: the data it was drawn from is what
its caption's command gives today (regenerate with ``make figures``)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

from simulation.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _make_figures():
    spec = importlib.util.spec_from_file_location("make_figures", ROOT / "docs" / "make_figures.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


figures = _make_figures()


def top_figure() -> tuple[str, str]:
    """The README's first figure and the command its caption names."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    image = re.search(r"^!\[[^\]]*\]\(([^)]+)\)\s*\n\s*\n\*(.+?)\*\s*\n\s*\n", text, re.M | re.S)
    assert image, "the README opens with a figure and an italic caption"
    command = re.search(r"`(orgchange [^`]+)`", image.group(2))
    assert command, "the caption names the command the figure comes from"
    return image.group(1), " ".join(command.group(1).split())


def test_the_caption_s_command_is_the_one_make_figures_runs():
    path, command = top_figure()
    assert path == "docs/figures/summary.png"
    assert command == figures.SUMMARY_COMMAND
    summary = next(f for f in figures.ALL if f.name == "summary")
    assert summary.command.startswith(command + " ") and summary.copies["summary.png"] == Path(path).name


def test_the_top_figure_shows_what_its_caption_s_command_gives_today(tmp_path, capsys):
    _, command = top_figure()
    argv = command.split()[1:]
    assert main([*argv, "--out", str(tmp_path / "out"), "--no-figure"]) == 0
    capsys.readouterr()
    today = pd.read_csv(tmp_path / "out" / "timeseries.csv")
    shown = pd.read_csv(ROOT / "docs" / "figures" / "summary.csv")
    try:
        pd.testing.assert_frame_equal(shown, today, check_exact=False, rtol=1e-12, atol=1e-12)
    except AssertionError as err:
        pytest.fail(f"docs/figures/summary.png is stale: its caption's command gives other numbers today; run "
                    f"`make figures` (or python docs/make_figures.py summary) and commit the result\n{err}")


def test_the_top_figure_was_drawn_from_its_data():
    png, data = ROOT / "docs" / "figures" / "summary.png", ROOT / "docs" / "figures" / "summary.csv"
    assert figures.stamped(png) == figures.sha256(data), (
        "docs/figures/summary.png was not drawn from docs/figures/summary.csv: run `make figures`")
