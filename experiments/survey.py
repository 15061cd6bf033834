"""A hospital's own data, read from a survey CSV file: the targets of `orgchange calibrate`.

The file has one row per measured share (docs/calibration.md)::

    measure,level,week,value,respondents
    positive,senior,0,0.71,14
    positive,middle,0,0.63,38
    positive,frontline,0,0.57,310
    participation,all,0,0.22,
    quality,all,52,0.27,

``measure``
    ``positive`` or ``problematic``: the share of positive (problematic)
    answers of one staff level to a safety-culture survey, in the form of
    the composites of AHRQ's Hospital Survey on Patient Safety Culture
    (Sorra et al. 2012); ``participation``: the share of staff doing QI work
    (in improvement teams or projects); ``quality``: patient-care quality,
    the share of care delivered without a defect.
``level``
    ``senior`` (the CEO and senior leaders), ``middle`` (middle managers),
    ``frontline``, or ``all`` (everybody). A survey share is by level;
    quality is of the whole hospital (``all``).
``week``
    When it was measured, in weeks after the first survey (0, the default
    for an empty cell, is the hospital as it is now, before any new
    strategy); an integer in [0, 520].
``value``
    The share, a number in [0, 1] (write 0.62 for 62%).
``respondents``
    Optional: how many answers (patients, for quality) the share is of, an
    integer >= 1. With it, the model's share is drawn as a survey of that
    many would give it (binomial sampling error), and the calibration weighs
    the row by its precision; without it the row counts as exact.

Lines that begin with ``#`` are comments. Every error names the file, the
line, the field, the value and what is allowed (`SurveyError`).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from experiments.errors import ExperimentError
from simulation import tomlio
from simulation.errors import ConfigError, did_you_mean

COLUMNS = ("measure", "level", "week", "value", "respondents")
REQUIRED = ("measure", "level", "value")
MEASURES = ("positive", "problematic", "participation", "quality")
LEVELS = {
    "positive": ("senior", "middle", "frontline"),
    "problematic": ("senior", "middle", "frontline"),
    "participation": ("senior", "middle", "frontline", "all"),
    "quality": ("all",),
}
"""The levels each measure can be given for (the model measures these)."""
MAX_WEEK = 520
"""The latest week a row may be measured at: ten years after the first survey."""


class SurveyError(ExperimentError):
    """A survey file orgchange cannot read: the message names the file,
    the line, the field, the value and what is allowed. The command line
    reports it on one line, with exit status 2."""


@dataclass(frozen=True)
class Target:
    """One measured share: a row of the survey file.

    Attributes
    ----------
    measure, level
        What was measured, of whom (see the module's documentation).
    week
        When, in weeks after the first survey (0-520).
    value
        The measured share, 0-1.
    respondents
        How many answers it is a share of, or 0 if not given (exact).
    line
        The file's line it was read from (for messages), or 0.
    """

    measure: str
    level: str
    week: int
    value: float
    respondents: int = 0
    line: int = 0

    @property
    def key(self) -> str:
        """The target's name, as tables and figures show it: ``positive_frontline@0``."""
        return f"{self.measure}_{self.level}@{self.week}"

    @property
    def metric(self) -> str:
        """The model's metric that measures it (`simulation.metrics.METRICS`)."""
        if self.measure == "participation":
            return "practice" if self.level == "all" else f"practice_{self.level}"
        if self.measure == "quality":
            return "quality"
        return f"{self.measure}_{self.level}"

    @property
    def standard_error(self) -> float:
        """The sampling standard error of the measured share (0 if exact):
        sqrt(p (1 - p) / n), with p kept 1/(n+2) from 0 and 1 (the
        Agresti-Coull-style correction), so a share of 0 still has an error."""
        if not self.respondents:
            return 0.0
        n = self.respondents
        p = min(max(self.value, 1.0 / (n + 2)), 1.0 - 1.0 / (n + 2))
        return math.sqrt(p * (1.0 - p) / n)


@dataclass(frozen=True)
class Survey:
    """A hospital's measured shares: the targets of a calibration.

    Attributes
    ----------
    targets
        One `Target` per row, in file order.
    source
        The file it was read from ("" if built in Python).
    text
        That file's text (kept with the posterior, so it can be checked).
    """

    targets: tuple[Target, ...]
    source: str = ""
    text: str = ""

    @property
    def weeks(self) -> int:
        """The last week measured: how long the model must run (at least 1)."""
        return max(1, max(t.week for t in self.targets))

    @property
    def observed(self) -> dict[str, float]:
        """Each target's measured value, by `Target.key`."""
        return {t.key: t.value for t in self.targets}

    def to_csv(self) -> str:
        """The survey as the text of a survey file."""
        lines = [",".join(COLUMNS)]
        for t in self.targets:
            lines.append(f"{t.measure},{t.level},{t.week},{t.value!r},{t.respondents or ''}")
        return "\n".join(lines) + "\n"


def read_survey(path: str | Path) -> Survey:
    """Read and validate a survey CSV file (see the module's documentation)."""
    path = Path(path)
    try:
        text = tomlio.read_text(path, "survey file")
    except ConfigError as err:  # a missing or unreadable file: the message names it
        raise SurveyError(err.message) from None
    return parse_survey(text, str(path))


def parse_survey(text: str, source: str = "survey") -> Survey:
    """Validate the text of a survey file; ``source`` names it in errors."""
    # Comment lines are blanked, not removed, so that line numbers stay the file's own.
    lines = ["" if line.lstrip().startswith("#") else line for line in text.splitlines()]
    rows = [(k + 1, row) for k, row in enumerate(csv.reader(io.StringIO("\n".join(lines)))) if row]
    if not rows:
        raise SurveyError(f"no header; the first line must name the columns: {','.join(COLUMNS)}", source=source)
    header_line, header = rows[0]
    header = [h.strip().lower() for h in header]
    for column in header:
        if column not in COLUMNS:
            raise SurveyError(f"unknown column {column!r}{did_you_mean(column, COLUMNS)}; allowed: "
                              f"{', '.join(COLUMNS)}", source=source, line=header_line)
    for column in REQUIRED:
        if column not in header:
            raise SurveyError(f"missing column {column!r}; the header must name at least {', '.join(REQUIRED)}",
                              source=source, line=header_line)
    if len(set(header)) != len(header):
        twice = next(c for c in header if header.count(c) > 1)
        raise SurveyError(f"column {twice!r} is named twice", source=source, line=header_line)
    targets: list[Target] = []
    seen: dict[str, int] = {}
    for line, row in rows[1:]:
        if len(row) != len(header):
            raise SurveyError(f"has {len(row)} fields, but the header names {len(header)} ({','.join(header)})",
                              source=source, line=line)
        target = _target(dict(zip(header, (cell.strip() for cell in row))), source, line)
        if target.key in seen:
            raise SurveyError(f"{target.measure} of level {target.level!r} at week {target.week} is given twice "
                              f"(first on line {seen[target.key]})", source=source, line=line)
        seen[target.key] = line
        targets.append(target)
    if not targets:
        raise SurveyError("has a header but no rows; give at least one measured share", source=source)
    return Survey(tuple(targets), source, text)


def _target(cells: dict[str, str], source: str, line: int) -> Target:
    """One row as a `Target`; an error names the field, the value and what is allowed."""

    def fail(field: str, allowed: str) -> SurveyError:
        return SurveyError(f"must be {allowed}, got {cells.get(field, '')!r}", (field,), source=source, line=line)

    measure = cells["measure"].lower()
    if measure not in MEASURES:
        raise fail("measure", "one of " + ", ".join(repr(m) for m in MEASURES))
    level = cells["level"].lower()
    if level not in LEVELS[measure]:
        raise fail("level", f"one of {', '.join(repr(v) for v in LEVELS[measure])} for measure {measure!r}")
    week = _number(cells.get("week", "") or "0", integer=True)
    if week is None or not 0 <= week <= MAX_WEEK:
        raise fail("week", f"an integer in [0, {MAX_WEEK}] (weeks after the first survey; empty means 0)")
    value = _number(cells["value"])
    if value is None or not 0.0 <= value <= 1.0:
        raise fail("value", "a share in [0, 1] (write 0.62 for 62%)")
    respondents = _number(cells.get("respondents", "") or "0", integer=True)
    if respondents is None or respondents < 0 or (cells.get("respondents") and respondents < 1):
        raise fail("respondents", "an integer >= 1, or empty")
    return Target(measure, level, int(week), float(value), int(respondents), line)


def _number(text: str, integer: bool = False) -> float | int | None:
    """``text`` as a finite number (an integer if ``integer``), or None."""
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    if integer:
        return int(value) if value.is_integer() else None
    return value
