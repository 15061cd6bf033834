"""`Person`: every member of the hospital, as a Mesa agent.

A person's state lives in the model's arrays (`simulation.state.StaffState`);
the agent is a view onto column ``index`` of them. ``step()`` is the agent
engine's part for this person: it runs the week of `simulation.week` on this
one person, reading this week's state of the people around them and writing
next week's state of this person only (a synchronous update).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa

from simulation.week import gather_person, staff_week

if TYPE_CHECKING:
    from simulation.engines import AgentWeek


def _state_view(name: str, doc: str) -> property:
    def get(self) -> Any:
        return getattr(self.model.state, name)[self.index]

    def set_(self, value: Any) -> None:
        getattr(self.model.state, name)[self.index] = value

    return property(get, set_, doc=doc)


class Person(mesa.Agent):
    """One member of staff, whatever their role.

    Parameters
    ----------
    model : OrgChangeModel
        The model whose arrays hold this person's state.
    index : int
        This person's column in those arrays (their node in the organization).
    """

    role = "person"

    def __init__(self, model: Any, index: int) -> None:
        super().__init__(model)
        self.index = index

    commitment = _state_view("commitment", "Commitment to quality, 0-1 (an attitude).")
    alignment = _state_view("alignment", "Clarity of direction and expectations, 0-1.")
    direction = _state_view("direction", "Direction held and passed on to reports, 0-1.")
    trust = _state_view("trust", "Trust in leadership, 0-1.")
    cynicism = _state_view("cynicism", "Fatigue and cynicism about initiatives, 0-1.")
    predisposition = _state_view("predisposition", "Private anchor of commitment, 0-1.")
    susceptibility = _state_view("susceptibility", "Weight on social influence over predisposition, 0-1.")
    threshold = _state_view("threshold", "Practice drive needed to do QI work (drive units).")
    tenure = _state_view("tenure", "Weeks in the organization.")

    @property
    def practising(self) -> bool:
        """Whether this person does QI work this week (a behaviour)."""
        return bool(self.model.state.practice[self.index])

    @property
    def unit(self) -> int:
        """The unit this person belongs to (-1 for the CEO and senior team)."""
        return int(self.model.organization.unit[self.index])

    @property
    def manager(self) -> Person | None:
        """The person this one reports to (None for the CEO)."""
        boss = self.model.organization.manager[self.index]
        return self.model.people[boss] if boss >= 0 else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(index={self.index}, commitment={self.commitment:.3f})"

    # -- the agent engine ------------------------------------------------------
    def step(self) -> None:
        """Work out this person's state for next week (steps 3, 4, 5 and 7):
        gather what they hear, then run the staff week on their column.

        This is the agent engine's work, done inside ``model.step()`` (with
        ``engine="agent"``); advance the hospital with ``model.step()``.
        """
        week: AgentWeek | None = getattr(self.model.update, "week", None)
        if week is None:
            raise RuntimeError(
                "Person.step() is one person's part of the weekly staff update, which model.step() runs "
                "after the leaders have acted; advance the hospital with model.step() (or model.run(weeks)), "
                "not model.agents.do('step')")
        i = self.index
        gather_person(i, week.now, week.sig, *week.network, week.around)
        staff_week(week.now[:, i], week.around, week.sig[:, i], week.behaviour, week.nxt[:, i])
