"""Words for people: counts with the right plural, and prose wrapped to the
terminal. The command line and the report say things the same way through
these two helpers.

Light on purpose (the standard library only), so that the command line can
use it while it builds its parser.
"""

from __future__ import annotations

import shutil
import textwrap


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``count`` and ``noun``, plural unless the count is one: ``1 week``,
    ``2 weeks``, ``0 weeks``. ``many`` is the plural of an irregular noun
    (default: ``noun + "s"``)."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def wrap(text: str, indent: int = 0, lead: str | None = None, width: int | None = None) -> str:
    """``text`` folded into lines that fit the terminal.

    Parameters
    ----------
    indent
        Spaces before every line after the first (a hanging indent), in
        characters, >= 0.
    lead
        What starts the first line (default: ``indent`` spaces), such as a
        name padded to the width of its column.
    width
        The line length in characters (default: the terminal's width, or
        ``COLUMNS``, at most 100 so that prose stays readable on a wide
        screen; 80 when there is no terminal).
    """
    width = width or min(100, shutil.get_terminal_size((80, 24)).columns)
    lead = " " * indent if lead is None else lead
    return textwrap.fill(" ".join(text.split()), width=max(width, indent + 20, len(lead) + 20),
                         initial_indent=lead, subsequent_indent=" " * indent)


def horizon(weeks: int) -> str:
    """A simulated horizon for people: ``260 weeks (5 years)``, ``78 weeks
    (1.5 years)``, ``10 weeks``, ``1 week``; years only from one year on."""
    if weeks < 52:
        return plural(weeks, "week")
    years = f"{weeks / 52:.1f}".removesuffix(".0")
    return f"{plural(weeks, 'week')} ({years} {'year' if years == '1' else 'years'})"
