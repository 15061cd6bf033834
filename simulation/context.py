"""Hospitals differ: each draws its own context from its seed.

The behaviour parameters give the *typical* hospital. A real hospital
differs from it in ways the source studies document: its baseline culture
(Singer et al. 2003 found problematic safety-climate responses from 9% to
24% between hospitals), its leaders' passion, its staff turnover (about 10%
to 30% a year: NSI 2024) and its staffing, hence the care load on each
person, hence the time they have to spare (Aiken et al. 2002). `draw_context` draws one hospital's values
around the typical ones, with the between-hospital standard deviations of
the parameter table (``hospital_*_sd``). Setting a standard deviation to 0
fixes that part of the context at the typical value; setting them all to 0
makes every hospital typical.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simulation.parameters import Behaviour
from simulation.rules import within


def draw_context(behaviour: Behaviour, rng: np.random.Generator) -> Behaviour:
    """One hospital's behaviour parameters: ``behaviour`` with its context drawn.

    Draws four standard normals, always (so the draws that follow do not
    depend on which standard deviations are 0): culture (frontline staff and
    middle managers together), leaders' passion, turnover and care slack.
    """
    b = behaviour
    culture, passion, turnover, staffing = rng.standard_normal(4)
    return replace(
        b,
        frontline_commitment=float(within(b.frontline_commitment + b.hospital_culture_sd * culture, 0.0, 1.0)),
        middle_commitment=float(within(b.middle_commitment + b.hospital_culture_sd * culture, 0.0, 1.0)),
        ceo_passion=float(within(b.ceo_passion + b.hospital_passion_sd * passion, 0.0, 1.0)),
        senior_passion=float(within(b.senior_passion + b.hospital_passion_sd * passion, 0.0, 1.0)),
        turnover_rate=float(min(0.95, b.turnover_rate * np.exp(b.hospital_turnover_sd * turnover))),
        care_slack=float(within(b.care_slack + b.hospital_staffing_sd * staffing, -0.5, 0.5)),
    )
