"""The page's geometry: how big each figure is drawn for the browser's window.

A projector shows the page at 1280x720 or 1920x1080, and the class must see
the hospital and the main plots at once, with no scrolling. So the page asks
the browser for its window's size (`simulation.dashboard.widgets.Viewport`)
and draws each figure at exactly the size it is shown, in CSS pixels: the
browser never shrinks a figure, so a font of `FONT_PT` points is
``FONT_PT * DPI / 72`` pixels on screen (at least `MIN_TEXT_PX`).

The page, from top to bottom: the title bar (`TITLE_BAR`), then the controls
in a column of their own on the left (`controls_width`) and, beside them, the
week and the monitors (`HEADLINE`, one row per strategy), the hospital, and
the plots. The hospital and the plots share what height is left.
"""

from __future__ import annotations

from dataclasses import dataclass

DPI = 100
"""Dots per inch of the figures on the page: one figure pixel is one CSS pixel."""
MIN_TEXT_PX = 14
"""Smallest text on the page, in CSS pixels (readable from the back of a room)."""
FONT_PT = 10.5
"""Figure text size in points: 10.5 pt at `DPI` is 14.6 px."""
TITLE_PT = 11.5
"""Figure panel titles, in points (16 px)."""
TITLE_BAR = 56
"""Height of the page's title bar, in CSS pixels."""
HEADLINE = 50
"""Height of the week line and the buttons beside it, in CSS pixels."""
MONITOR_ROW = 56
"""Height of one strategy's monitors, in CSS pixels (two lines of text at most)."""
GAP = 12
"""Space between the blocks of the page, in CSS pixels."""
SLACK = 12
"""Pixels kept free at the bottom, for the browser's rounding of the blocks above."""
NETWORK_SHARE = 0.47
"""Share of the free height that the hospital gets; the plots get the rest."""
SMALLEST = (1024, 600)
"""Below this window size the figures stop shrinking and the page scrolls."""


def controls_width(width: int) -> int:
    """Width of the controls column, in CSS pixels: wider on a wide screen."""
    return 360 if width < 1600 else 420


@dataclass(frozen=True)
class Screen:
    """The browser window, in CSS pixels, and the page drawn for it.

    >>> s = Screen(1280, 720)
    >>> s.network, s.plots
    ((884, 222), (884, 252))
    """

    width: int = 1280
    height: int = 720
    sides: int = 1

    @property
    def main_width(self) -> int:
        """Width beside the controls column."""
        width = max(self.width, SMALLEST[0])
        return width - controls_width(width) - 3 * GAP

    @property
    def free_height(self) -> int:
        """Height below the title bar, the week and the monitors."""
        height = max(self.height, SMALLEST[1])
        return height - TITLE_BAR - HEADLINE - self.sides * MONITOR_ROW - 6 * GAP - SLACK

    @property
    def network(self) -> tuple[int, int]:
        """The hospital figure's size, (width, height) in CSS pixels."""
        return self.main_width, int(self.free_height * NETWORK_SHARE)

    @property
    def plots(self) -> tuple[int, int]:
        """The main plots' size, (width, height) in CSS pixels."""
        return self.main_width, self.free_height - self.network[1]


def inches(pixels: tuple[int, int]) -> tuple[float, float]:
    """A figure size in inches for a size in CSS pixels, at `DPI`."""
    return pixels[0] / DPI, pixels[1] / DPI
