"""The rules of the model, each written once.

Every function here is pure: it takes numbers and returns numbers, with no
model, agent or random generator in sight. Each works equally on numpy
arrays (the vectorized engine applies it to everyone at once) and on Python
or numpy scalars (an agent's ``step()`` applies it to itself). That is what
keeps the two engines in step, and what lets special choices of the
arguments reduce the model to classic results (DeGroot, Friedkin-Johnsen,
Granovetter and Watts).

Units: commitment, alignment, trust, cynicism, urgency, quality and
resources are all on [0, 1]; rates are per week; a step is one week.
"""

from __future__ import annotations

import numpy as np

WEEKS_PER_YEAR = 52


def select(condition, if_true, if_false):
    """``if_true`` where ``condition`` holds, else ``if_false``: ``np.where``,
    for arrays and scalars alike. Rules choose through this one name so that
    the compiled engine can put a scalar choice in its place."""
    return np.where(condition, if_true, if_false)


def within(value, low, high):
    """``value`` kept within [low, high], as ``np.clip`` does, for arrays and
    scalars alike; written out because the rules run every week and
    ``np.clip``'s Python-level wrapper costs more than the arithmetic."""
    return np.minimum(np.maximum(value, low), high)


# --- 1. impetus ----------------------------------------------------------------
def urgency_next(urgency, decay, shock):
    """Urgency decays at ``decay`` per week; a shock adds to it (capped at 1)."""
    return np.minimum(1.0, urgency * (1.0 - decay) + shock)


# --- 2. leader energy ------------------------------------------------------------
def energy_next(energy, spent, recovery, capacity):
    """Personal capital after spending ``spent`` hours and resting ``recovery``
    hours' worth, kept within [0, capacity] hours."""
    return within(energy - spent + recovery, 0.0, capacity)


def steering_signal(intensity, commitment, urgency):
    """Direction a steering leader sends down, in [0, 1].

    It grows with the lever's intensity, is half-strength without urgency
    (impetus makes direction land), and is half-strength from a leader who
    does not believe in it (consistency needs conviction).
    """
    return intensity * (0.5 + 0.5 * urgency) * (0.5 + 0.5 * commitment)


# --- 3. structural cascade ---------------------------------------------------------
def relay_gain(commitment, low, high, development=0.0):
    """Share of the direction a manager passes on to their reports.

    A committed manager amplifies (gain near ``high``); an uncommitted one
    filters (gain near ``low``): the frozen middle. Development of middle
    managers closes part of the gap to full commitment.
    """
    effective = commitment + development * (1.0 - commitment)
    return low + (high - low) * effective


def direction_next(own_signal, manager_direction, manager_gain):
    """The direction a person holds: what they send themselves, or what their
    manager relays to them (``manager_gain * manager_direction``), whichever
    is stronger. Everyone passes on the direction they hold."""
    return np.maximum(own_signal, manager_gain * manager_direction)


def alignment_next(alignment, direction, rate):
    """Alignment closes ``rate`` of the gap to the direction held; with no
    direction it decays at the same rate."""
    return alignment + rate * (direction - alignment)


# --- 4. social influence -----------------------------------------------------------------
def influence_target(weighted_sum, total_weight, own, predisposition, susceptibility,
                     cynicism=0.0, cynicism_weight=0.0):
    """The commitment a person is pulled towards this week.

    The weighted mean of the people they listen to (``weighted_sum /
    total_weight``; their own commitment if they listen to nobody), anchored
    to their private predisposition with weight ``1 - susceptibility``
    (Friedkin and Johnsen 1990), and pulled down by cynicism.
    """
    # The inner choice keeps the division away from zero weights.
    social = select(total_weight > 0, weighted_sum / select(total_weight > 0, total_weight, 1.0), own)
    target = susceptibility * social + (1.0 - susceptibility) * predisposition
    return target - cynicism_weight * cynicism


def practice_experience(target, practised, learning):
    """Doing improvement work builds belief in it: a person who practised
    last week has their commitment target pulled ``learning`` of the way
    towards 1 (behaviour shapes attitude, as well as the reverse)."""
    return target + learning * practised * (1.0 - target)


def commitment_next(commitment, target, rate):
    """Commitment closes ``rate`` of the gap to its target, within [0, 1].

    With ``rate = 1`` and ``susceptibility = 1`` this is DeGroot averaging;
    with ``rate = 1`` it is the Friedkin-Johnsen model.
    """
    return within(commitment + rate * (target - commitment), 0.0, 1.0)


def leader_trust_weight(trust, cynicism):
    """How much a person lets leaders sway them: trust, discounted by cynicism."""
    return trust * (1.0 - cynicism)


# --- 5. practice --------------------------------------------------------------------------
def peer_practice(practising_ties, ties, mode):
    """Peers' practice as the practice drive sees it.

    ``"fraction"``: the share of one's ties who practise (Watts 2002);
    ``"count"``: how many practise (absolute thresholds, Centola and Macy 2007).
    """
    if mode == "count":
        return practising_ties * 1.0
    return select(ties > 0, practising_ties / select(ties > 0, ties, 1.0), 0.0)


def practice_drive(commitment, alignment, accountability, peers, practised,
                   w_commitment, w_alignment, w_accountability, w_peers, habit):
    """What pushes a person to do improvement work this week.

    Attitude (commitment), clarity (alignment), pressure (accountability),
    example (peers' practice) and habit (having practised last week).
    """
    return (w_commitment * commitment + w_alignment * alignment
            + w_accountability * accountability + w_peers * peers + habit * practised)


def practises(drive, threshold):
    """A person practises QI when the drive reaches their threshold
    (Granovetter 1978)."""
    return drive >= threshold


def practice_next(practised, wants, draw, uptake):
    """Practice changes only when a person gets round to it: someone whose
    drive says start (or stop) does so this week if their ``draw`` (uniform
    on [0, 1)) falls below ``uptake``. With ``uptake = 1`` the threshold rule
    applies at once, as in Granovetter's and Watts' models."""
    return select(draw < uptake, wants, practised) * 1.0


def accountability_pressure(accountability, manager_gain):
    """Pressure felt by a person: the organization's accountability, as far
    as their own manager enforces it (a filtering manager enforces less)."""
    return accountability * manager_gain


# --- 6. improvement projects -------------------------------------------------------------
def project_start_chance(start_rate, resources, unit_commitment, urgency):
    """Weekly chance that a unit starts a project of its own."""
    return start_rate * resources * unit_commitment * (0.5 + urgency)


def project_progress(team_commitment, resources, support, integration, length):
    """Share of a project's work done in a week.

    At full commitment, full resources and no help it takes ``length``
    weeks; a sponsor removing barriers (``support``) and cooperation across
    units (``integration``) each speed it up.
    """
    return (0.5 + 0.5 * team_commitment) * (0.5 + 0.5 * resources) * (1.0 + support + integration) / length


def project_collapse_chance(hazard, team_commitment, support):
    """Weekly chance a project collapses: high for an uncommitted team with
    nobody clearing its barriers."""
    return hazard * (1.5 - team_commitment) * (1.0 - 0.5 * support)


def kick(level, size):
    """Move a [0, 1] level a share ``size`` of the way to 1 (``size > 0``) or
    to 0 (``size < 0``)."""
    return select(size >= 0, level + size * (1.0 - level), level + size * level)


# --- 7. fatigue, cynicism and trust ----------------------------------------------------------
def cynicism_next(cynicism, decay, added):
    """Cynicism fades at ``decay`` per week and grows with broken promises,
    failures and overload (``added``), within [0, 1]."""
    return within(cynicism * (1.0 - decay) + added, 0.0, 1.0)


def feedback(commitment, kept, boost):
    """Each issue raised on a round and resolved closes ``boost`` of a
    person's gap to full commitment: feedback is the active ingredient of
    rounding (P4)."""
    return commitment + (1.0 - (1.0 - boost) ** kept) * (1.0 - commitment)


def trust_next(trust, kept, broken, rate):
    """Each kept promise closes ``rate`` of the gap to full trust; each broken
    one removes ``rate`` of the trust there is."""
    trust = trust + (1.0 - (1.0 - rate) ** kept) * (1.0 - trust)
    return trust * (1.0 - rate) ** broken


def developed_predisposition(predisposition, development, rate):
    """Development programmes raise a manager's own predisposition: each
    week by ``rate * development`` of the gap to 1."""
    return predisposition + rate * development * (1.0 - predisposition)


# --- 8. turnover ------------------------------------------------------------------------------
def weekly_hazard(annual_rate):
    """Weekly leaving probability that compounds to ``annual_rate`` a year."""
    return 1.0 - (1.0 - annual_rate) ** (1.0 / WEEKS_PER_YEAR)


def new_hire_commitment(predisposition, unit_commitment, socialization):
    """A new hire starts between their own predisposition and the commitment
    that prevails in their unit."""
    return (1.0 - socialization) * predisposition + socialization * unit_commitment


# --- 9. outcomes --------------------------------------------------------------------------------
def quality_next(quality, practice_rate, rate):
    """A unit's underlying quality closes ``rate`` of the gap to its
    practice rate each week: what staff do every day sets quality."""
    return quality + rate * (practice_rate - quality)


def moving_average(previous, value, memory):
    """Exponential moving average with a time constant of ``memory`` weeks."""
    return previous + (value - previous) / memory
