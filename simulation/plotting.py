"""Figures, all styled by one helper so every figure looks alike.

Colours are the Okabe-Ito palette, which stays distinguishable under the
common forms of colour blindness.

Importing this module leaves matplotlib's backend alone, so a notebook keeps
its inline figures. Programs that only write figures to files choose the
off-screen backend themselves: the command line (`simulation.cli.main`) and
the tests (tests/conftest.py) do.
"""

from __future__ import annotations

import io
from typing import Literal

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simulation.parameters import ROLES

OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442", "#000000"]
NEUTRAL = "#808080"
"""Grey, for reference lines (such as zero) that are not data."""
ROLE_COLOURS = dict(zip(ROLES, OKABE_ITO))
ROLE_LABELS = {"ceo": "CEO", "senior": "Senior team", "middle": "Middle managers", "frontline": "Front line"}

COMMITMENT_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
"""Commitment (0-1) in five classes, for colouring people by it."""
COMMITMENT_COLOURS = ["#efedf5", "#bcbddc", "#9e9ac8", "#6a51a3", "#3f007d"]
"""One colour per commitment class, low to high: light to dark purple
(ColorBrewer's sequential Purples). Commitment has a scale of its own, in a
hue no other meaning uses (the levels and the strategies take the Okabe-Ito
colours), so that on the dashboard orange always means the CEO and never
a commitment class. One hue, light to dark, stays in order under every form
of colour blindness and in greyscale."""
STRATEGY_STYLES: tuple[Literal["-", "--"], ...] = ("-", "--")
"""Line styles that tell two strategies apart where colour already means role."""

STRATEGY_COLOURS = {
    "business_as_usual": OKABE_ITO[7],
    "mandate": OKABE_ITO[0],
    "inspire": OKABE_ITO[1],
    "ceo_champion": OKABE_ITO[2],
    "leadership_rounding": OKABE_ITO[3],
    "full_transformation": OKABE_ITO[4],
    "senior_team": OKABE_ITO[5],
    "middle_out": OKABE_ITO[6],
}
"""The one colour of each preset in every figure of the project (notebooks,
experiment figures, the planner's report): Leadership rounding is vermillion
wherever it appears. Strategies that are not presets take what is left."""
LINESTYLES = ["-", "--", "-.", ":"]


def strategy_styles(strategies) -> dict[str, dict]:
    """A colour and a line style for each strategy, the same in every figure.

    A preset (named by its key, or by a path to a file of that name) has its
    colour in `STRATEGY_COLOURS` and a solid line. Any other strategy has a
    colour of its own name (a stable hash of it, so the same name always gets
    the same colour) and a dashed or dotted line, so that it never looks like
    the preset whose colour it shares.
    """
    from pathlib import PurePath
    from zlib import crc32

    looks, used = {}, set()
    for s in strategies:
        key = PurePath(str(s)).stem
        if key in STRATEGY_COLOURS:
            colour, styles = STRATEGY_COLOURS[key], LINESTYLES
        else:
            colour, styles = OKABE_ITO[crc32(key.encode("utf-8")) % len(OKABE_ITO)], LINESTYLES[1:]
        # Two strategies of one colour in a figure (two of our own): the next line style.
        style = next((ls for ls in styles if (colour, ls) not in used), styles[-1])
        used.add((colour, style))
        looks[s] = {"color": colour, "linestyle": style}
    return looks


def commitment_colour(values) -> list[str]:
    """The colour of each commitment value (0-1), by its class in `COMMITMENT_BINS`."""
    classes = np.clip(np.digitize(values, COMMITMENT_BINS[1:-1]), 0, len(COMMITMENT_COLOURS) - 1)
    return [COMMITMENT_COLOURS[k] for k in classes]


def style(ax, title: str, xlabel: str, ylabel: str, legend: bool = True) -> None:
    """Title, labelled axes with units, a light grid and a legend."""
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    if legend:
        ax.legend(frameon=False, fontsize=8)


def summary_figure(df: pd.DataFrame, title: str = "orgchange run") -> plt.Figure:
    """Commitment and QI practice by role over time, plus quality and culture."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 4), constrained_layout=True)
    years = df["week"] / 52
    for role in ROLES:
        axes[0].plot(years, df[f"commitment_{role}"], color=ROLE_COLOURS[role], label=ROLE_LABELS[role])
        axes[1].plot(years, df[f"practice_{role}"], color=ROLE_COLOURS[role], label=ROLE_LABELS[role])
    axes[2].plot(years, df["quality"], color=OKABE_ITO[4], label="Patient-care quality")
    axes[2].plot(years, df["culture"], color=OKABE_ITO[5], label="Culture index", linestyle="--")
    style(axes[0], "Commitment to quality by level", "Time (years)", "Mean commitment (0-1)")
    style(axes[1], "QI practice by level", "Time (years)", "Share practising QI (0-1)")
    style(axes[2], "Outcomes", "Time (years)", "Index (0-1)")
    for ax in axes:
        ax.set_ylim(-0.02, 1.02)
    fig.suptitle(title, fontsize=12)
    return fig


def png_bytes(fig: plt.Figure, dpi: int = 100) -> bytes:
    """``fig`` as PNG bytes (for embedding in a report, or a download), and close it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return buffer.getvalue()
