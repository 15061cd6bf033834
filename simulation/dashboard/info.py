"""The Info panel: what the model is, how it works, things to notice, things to try.

Like NetLogo's Info tab. The text is the "In the app: the Info panel"
section of the instructor's guide, docs/dashboard.md, shipped with the
package as ``info.md`` (the guide is not installed); tests/test_dashboard.py
holds the two to the same words.
"""

from __future__ import annotations

import functools
from importlib import resources

import markdown

HEADINGS = ("What it is", "How it works", "Things to notice", "Things to try")
"""The panel's sections, in order."""


@functools.cache
def info_markdown() -> str:
    """The panel's text, as Markdown."""
    return resources.files("simulation.dashboard").joinpath("info.md").read_text(encoding="utf-8")


@functools.cache
def info_html() -> str:
    """The panel's text as HTML (rendered here, not in the browser, so that
    the page loads nothing from the internet)."""
    return markdown.markdown(info_markdown())
