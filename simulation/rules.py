"""The rules of the model, each written once.

Every function here is pure: it takes numbers and returns numbers, with no
model, agent or random generator in sight. Each works equally on numpy
arrays (the vectorized engine applies it to everyone at once) and on Python
or numpy scalars (an agent's ``step()`` applies it to itself). That is what
keeps the two engines in step, and what lets special choices of the
arguments reduce the model to classic results (DeGroot, Friedkin-Johnsen,
Granovetter and Watts).

Units: commitment, alignment, trust, cynicism, urgency, capability,
barriers, quality and resources are all on [0, 1]; workload and overload
are shares of a person's week; rates are per week; a step is one week.
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
    """Urgency decays at ``decay`` per week; a shock (or a result, of either
    sign) adds to it, within [0, 1]."""
    return within(urgency * (1.0 - decay) + shock, 0.0, 1.0)


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
    heard = total_weight > 0
    social = select(heard, weighted_sum / select(heard, total_weight, 1.0), own)
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
    tied = ties > 0
    return select(tied, practising_ties / select(tied, ties, 1.0), 0.0)


def practice_drive(commitment, alignment, accountability, peers, practised,
                   w_commitment, w_alignment, w_accountability, w_peers, habit, overload=0.0, w_workload=0.0):
    """What pushes a person to do improvement work this week.

    Attitude (commitment), clarity (alignment), pressure (accountability),
    example (peers' practice) and habit (having practised last week), less
    what today's overload takes (``overload``: care work beyond the staff's
    time, as a share of the week): people short of time cut improvement
    work first (Repenning and Sterman 2002).
    """
    return (w_commitment * commitment + w_alignment * alignment
            + w_accountability * accountability + w_peers * peers + habit * practised - w_workload * overload)


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
    # The gap that closes: the one to 1 going up, the one to 0 going down.
    return level + size * select(size >= 0, 1.0 - level, level)


# --- 7. fatigue, cynicism and trust ----------------------------------------------------------
def cynicism_next(cynicism, decay, added):
    """Cynicism fades at ``decay`` per week and grows with broken promises,
    failures and overload (``added``), within [0, 1]."""
    return within(cynicism * (1.0 - decay) + added, 0.0, 1.0)


def feedback(commitment, kept, boost):
    """Resolved issues raised on a round close ``boost`` of a person's gap to
    full commitment each (at most all of it): feedback is the active
    ingredient of rounding (P4)."""
    return commitment + np.minimum(1.0, boost * kept) * (1.0 - commitment)


def trust_next(trust, kept, broken, rate, asymmetry=1.0):
    """Kept promises close ``rate`` of the gap to full trust each, and broken
    ones remove ``asymmetry * rate`` of the trust there is each (at most all
    of it): trust is lost faster than it is won (Slovic 1993). Counts may be
    fractional (a promise partly kept). Written with sums and products only,
    so every engine computes the same number to the last bit."""
    trust = trust + np.minimum(1.0, rate * kept) * (1.0 - trust)
    return trust * (1.0 - np.minimum(1.0, asymmetry * rate * broken))


def internalization(leader_share, half):
    """How much of the practice that pressure drives a person takes on as
    their own, 0-1: it grows with the share of their influence that comes
    from leaders they see and meet (authentic, involved leadership supports
    autonomy; Gagne and Deci 2005), half at ``leader_share = half``."""
    return leader_share / (leader_share + half)


def share(part, rest):
    """``part / (part + rest)``, 0 where both are 0."""
    total = part + rest
    some = total > 0
    return select(some, part / select(some, total, 1.0), 0.0)


def framed_pressure(target, pressure, internalized, weight):
    """Pressure lands as commitment where people make it their own, and as
    resistance where they do not: it moves the commitment target by
    ``weight * pressure`` towards 1 for a person whose practice under it is
    wholly internalized, and as far towards 0 for one whose is not (the
    controlling and the autonomy-supportive faces of the same demand;
    Gagne and Deci 2005)."""
    return target + weight * pressure * (2.0 * internalized - 1.0)


def compliance(practised, own_drive, threshold):
    """1.0 for a person who practises only because they are held to
    account: their drive without the pressure (``own_drive``) falls short of
    their threshold (compliance, not commitment); else 0.0."""
    return practised * (1.0 - practises(own_drive, threshold))


def learning_from_practice(learning, compliant, internalized):
    """How much practice builds belief: fully when it is one's own choice;
    when it is compliance (``compliant`` 1), only as far as it is
    internalized."""
    return learning * (1.0 - compliant * (1.0 - internalized))


def drifted_predisposition(predisposition, commitment, rate):
    """A private predisposition drifts ``rate`` of the way a week towards the
    commitment a person holds: commitment kept for years becomes one's own."""
    return predisposition + rate * (commitment - predisposition)


def developed_predisposition(predisposition, development, rate):
    """Development programmes raise a manager's own predisposition: each
    week by ``rate * development`` of the gap to 1."""
    return predisposition + rate * development * (1.0 - predisposition)


# --- 8. turnover ------------------------------------------------------------------------------
def weekly_hazard(annual_rate):
    """Weekly leaving probability that compounds to ``annual_rate`` a year."""
    return 1.0 - (1.0 - annual_rate) ** (1.0 / WEEKS_PER_YEAR)


def climate_hazard(hazard, cynicism, overload, elasticity):
    """The weekly hazard of leaving in a poor climate: raised by
    ``elasticity`` per unit of cynicism and of overload, at most 1."""
    return np.minimum(1.0, hazard * (1.0 + elasticity * (cynicism + overload)))


def hired_predisposition(drawn, culture, weight):
    """A new hire's own predisposition: their drawn one, moved ``weight`` of
    the way to the prevailing commitment of the unit they join (``culture``:
    who is attracted, selected and stays; Schneider 1987)."""
    return (1.0 - weight) * drawn + weight * culture


def new_hire_commitment(predisposition, unit_commitment, socialization):
    """A new hire starts between their own predisposition and the commitment
    that prevails in their unit."""
    return (1.0 - socialization) * predisposition + socialization * unit_commitment


# --- 9. outcomes: capability, workload and quality of care ----------------------------------------
def capability_next(capability, practice_rate, learning, erosion):
    """A unit's process capability (0-1) after a week of improvement work by
    ``practice_rate`` of its staff: learning by doing closes ``learning *
    practice_rate`` of the gap to full capability (diminishing returns), and
    ``erosion`` of what there is decays unless work renews it (Repenning and
    Sterman 2002)."""
    return within(capability + learning * practice_rate * (1.0 - capability) - erosion * capability, 0.0, 1.0)


def barriers_next(barriers, arising, fixing, practice_rate):
    """A unit's process barriers (0-1, 1 = fully blocked) after a week: new
    ones arise at ``arising`` of the way to fully blocked, and staff who do
    improvement work fix ``fixing * practice_rate`` of them."""
    return within(barriers + arising * (1.0 - barriers) - fixing * practice_rate * barriers, 0.0, 1.0)


def care_demand(capability, load, saving):
    """Care work a unit's staff must do, as a share of their week: ``load``
    where processes have no capability, less where they are capable (fewer
    defects to redo)."""
    return load * (1.0 - saving * capability)


def care_load(capability, free_time, slack, saving):
    """The care load (see `care_demand`) that leaves ``slack`` of the week
    to spare, at ``capability``, to staff with ``free_time`` of their week
    left after improvement work."""
    return (free_time - slack) / (1.0 - saving * capability)


def free_time(qi_share, backfill):
    """Share of the week a unit's staff have for care after improvement work
    (``qi_share`` of their week, of which ``backfill`` is covered by QI
    resources)."""
    return 1.0 - (1.0 - backfill) * qi_share


def overload(demand, free):
    """Care work beyond the staff's free time, as a share of the week; 0 when
    the work fits."""
    return np.maximum(0.0, demand - free)


def held_by_teams(projects, team_attention):
    """Share of a unit's defects, beyond what its capability prevents, that
    its ``projects`` active improvement teams prevent while they run (0-1):
    each team catches ``team_attention`` of what the others miss. It lasts
    only as long as the teams do."""
    return 1.0 - (1.0 - team_attention) ** projects


def reliability(capability, held):
    """Share of care that would be delivered without a defect (0-1): what
    the unit's processes prevent (``capability``) and, of the rest, what its
    improvement teams catch (``held``)."""
    return capability + (1.0 - capability) * held


def quality_of_care(capability, barriers, overload, barrier_harm, overload_harm):
    """Share of care delivered without a defect (0-1): the capability that
    process barriers leave to act, less what overload costs."""
    return within(capability * (1.0 - barrier_harm * barriers) - overload_harm * overload, 0.0, 1.0)



def moving_average(previous, value, memory):
    """Exponential moving average with a time constant of ``memory`` weeks."""
    return previous + (value - previous) / memory
