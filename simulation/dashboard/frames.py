"""Fast frames of a changing figure, for the page while the simulation plays.

Drawing a whole figure takes most of its time on what does not change:
axes, ticks, labels, titles and legends. `Frames` draws those once, keeps
the picture as a background, and then on each frame restores that
background and draws only the view's changing artists on it (matplotlib's
"blitting", see https://matplotlib.org/stable/users/explain/animations/blitting.html).
A frame of the dashboard's figures takes a few hundredths of a second this
way, against a few tenths for a full redraw.

A view is any object with a ``figure``, the ``artists`` that change, and an
``update(snapshot)`` that changes them to a week's `Snapshot` and returns
True when something else changed too (an axis that had to grow), so the
background is redrawn.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image


class Frames:
    """PNG frames of ``view``, at ``dpi`` dots per inch (default: the figure's own)."""

    def __init__(self, view, dpi: int | None = None) -> None:
        self.view = view
        if dpi is not None:
            view.figure.set_dpi(dpi)
        self.canvas = FigureCanvasAgg(view.figure)
        for artist in view.artists:
            artist.set_animated(True)  # left out of the background; drawn on top of it each frame
        self.background = None

    def png(self, snapshot) -> bytes:
        """The figure at ``snapshot``'s week, as PNG bytes."""
        stale = self.view.update(snapshot)
        if stale or self.background is None:
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.view.figure.bbox)
        else:
            self.canvas.restore_region(self.background)
        for artist in self.view.artists:
            artist.axes.draw_artist(artist)
        pixels = np.asarray(self.canvas.buffer_rgba())[..., :3]  # the figure is opaque: drop alpha
        buffer = io.BytesIO()
        # The fastest compression: a frame lives for a fraction of a second.
        Image.fromarray(pixels).save(buffer, format="png", compress_level=1)
        return buffer.getvalue()
