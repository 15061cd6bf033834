"""Units: process capability, workload, barriers, expectations and patient-care quality.

Each unit (a middle manager and their frontline staff) has a state that the
hospital's patient-care outcome is made of:

``capability``
    Process capability, 0-1: how reliably the unit's processes deliver
    defect-free care. Improvement work builds it with diminishing returns
    (learning by doing), and it erodes unless work renews it (Repenning and
    Sterman 2002). Successful projects add to it (`simulation.projects`).
``barriers``
    Process barriers, 0-1 (1 = fully blocked): broken equipment, missing
    supplies, workarounds. They arise week by week; staff fix some as they
    improve their work, and leaders clear others (issues resolved after a
    round, the CEO's behind-the-scenes work). They take capability out of
    care, and slow projects.
``overload``
    Care work beyond the staff's time, as a share of the week. Improvement
    work takes time from care (the QI time that resources do not backfill);
    capable processes need less rework. Overload harms care now and pushes
    people to cut improvement work, which is how a unit falls into the
    capability trap (Repenning and Sterman 2002).
``expectation``, ``accountability``
    What leaders' reviews last set in the unit, 0-1, fading week by week
    until the next review: a leader holds to account only the units their
    time reaches.
``quality``
    Patient-care quality, 0-1: the share of care delivered without a
    defect (an all-or-none measure, Nolan and Berwick 2006): the capability
    that barriers leave to act, and of the defects it leaves the share the
    unit's running improvement teams catch, less what overload costs.
``reference``
    The quality people remember (an exponential moving average), against
    which they see results: ``quality - reference`` is the unit's visible
    result, which feeds back into commitment and urgency (Repenning 2002).

`UnitWeek` computes a week of it from the unit's practice and projects and
returns the new state; the model applies it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from simulation import rules
from simulation.parameters import Behaviour


@dataclass(frozen=True)
class UnitState:
    """The state of every unit, one entry per unit (see the module docstring).

    ``load`` is the unit's care work at no process capability, as a share of
    its staff's week (`simulation.rules.care_demand`), fixed by its staffing:
    at rest it leaves the hospital's ``care_slack`` to spare. ``gaming`` is
    how far each unit's manager games its results (0-1; with quality-tied
    incentives and little commitment), and ``reported`` the quality the unit
    reports: its real quality, inflated by gaming. People see results in
    the reported figures, and remember them (``reference``).
    """

    capability: np.ndarray
    barriers: np.ndarray
    load: np.ndarray
    overload: np.ndarray
    expectation: np.ndarray
    accountability: np.ndarray
    quality: np.ndarray
    reported: np.ndarray
    reference: np.ndarray
    gaming: np.ndarray

    @property
    def results(self) -> np.ndarray:
        """Each unit's visible result: the quality it reports against the quality remembered."""
        return self.reported - self.reference


def at_rest(practice_rate: np.ndarray, behaviour: Behaviour, resources: float) -> UnitState:
    """Units as they stand before any strategy: capability and barriers at
    the rest point their staff's everyday practice holds them at, and the
    quality they give remembered as it is."""
    b = behaviour
    learned = b.learning_rate * practice_rate
    capability = np.where(learned + b.capability_erosion > 0,
                          learned / np.maximum(learned + b.capability_erosion, 1e-300), 0.0)
    fixed = b.barrier_fixing * practice_rate
    barriers = np.where(b.barrier_rate + fixed > 0, b.barrier_rate / np.maximum(b.barrier_rate + fixed, 1e-300),
                        0.0)
    zeros = np.zeros_like(practice_rate)
    free = rules.free_time(practice_rate * b.qi_time, resources)
    load = rules.care_load(capability, free, b.care_slack, b.rework_saving)
    overload = workload(capability, load, practice_rate, zeros, behaviour, resources)
    quality = quality_of(capability, barriers, overload, behaviour)
    return UnitState(capability=capability, barriers=barriers, load=load, overload=overload, expectation=zeros,
                     accountability=zeros, quality=quality, reported=quality.copy(), reference=quality.copy(),
                     gaming=zeros)


def workload(capability: np.ndarray, load: np.ndarray, practice_rate: np.ndarray, projects: np.ndarray,
             behaviour: Behaviour, resources: float) -> np.ndarray:
    """Each unit's overload: the care its processes need (``load`` at its
    ``capability``, projects' gains included) against the time its staff
    have left after improvement work (``practice_rate`` of them practising,
    ``projects`` active projects) that resources do not backfill."""
    b = behaviour
    free = rules.free_time(practice_rate * b.qi_time + projects * b.project_time, resources)
    return rules.overload(rules.care_demand(capability, load, b.rework_saving), free)


def quality_of(capability: np.ndarray, barriers: np.ndarray, overload: np.ndarray,
               behaviour: Behaviour) -> np.ndarray:
    """Each unit's patient-care quality from its capability (projects' gains
    included), barriers and overload."""
    return rules.quality_of_care(capability, barriers, overload, behaviour.barrier_harm, behaviour.overload_harm)


def reviewed(units: UnitState, expectation_set: np.ndarray, accountability_set: np.ndarray,
             decay: float) -> UnitState:
    """Expectations and accountability after a week: what the last review
    set fades at ``decay``, and this week's reviews set it anew (the
    stronger of the two holds)."""
    return replace(units, expectation=np.maximum(units.expectation * (1.0 - decay), expectation_set),
                   accountability=np.maximum(units.accountability * (1.0 - decay), accountability_set))


def unit_week(units: UnitState, practice_rate: np.ndarray, projects: np.ndarray, project_gain: np.ndarray,
              cleared: np.ndarray, gaming: np.ndarray, behaviour: Behaviour, resources: float) -> UnitState:
    """The units' state after this week (step 9).

    Parameters
    ----------
    practice_rate
        Share of each unit's staff who did improvement work this week.
    projects
        Active projects in each unit.
    project_gain
        Capability each unit owes to its successful projects (quick fixes
        and redesigns), added to what practice built.
    cleared
        Share of each unit's barriers that leaders cleared this week.
    gaming
        How far each unit's manager games its results (0-1): gamed
        improvement work builds no capability.
    resources
        The QI resources lever: the share of improvement time backfilled.
    """
    b = behaviour
    real_practice = practice_rate * (1.0 - gaming)
    capability = rules.capability_next(units.capability, real_practice, b.learning_rate, b.capability_erosion)
    barriers = rules.barriers_next(units.barriers * (1.0 - cleared), b.barrier_rate, b.barrier_fixing,
                                   real_practice)
    effective = np.minimum(1.0, capability + project_gain)  # what practice and projects have built
    overload = workload(effective, units.load, practice_rate, projects, behaviour, resources)
    # What running teams hold is not capability: it lapses the week they stop (P9, the collaborative).
    held = rules.held_by_teams(projects, b.team_attention)
    quality = quality_of(rules.reliability(effective, held), barriers, overload, behaviour)
    reported = np.minimum(1.0, quality + b.gaming_inflation * gaming)
    reference = rules.moving_average(units.reference, units.reported, b.results_memory)
    # One new state, built once: a week of hundreds of steps per run would
    # otherwise spend more on copying the dataclass than on its arithmetic.
    return UnitState(capability=capability, barriers=barriers, load=units.load, overload=overload,
                     expectation=units.expectation, accountability=units.accountability, quality=quality,
                     reported=reported, reference=reference, gaming=gaming)
