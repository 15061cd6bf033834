"""Frontline staff: the nurses, physicians and technicians who deliver care."""

from __future__ import annotations

import mesa

from agents.person import Person


class FrontlineStaff(Person):
    """A member of a unit's front line.

    Frontline staff make no strategic decisions; what they feel and do
    follows the rules in `Person.step`, from their manager's direction, their
    peers, the leaders they see and the projects around them.
    """

    role = "frontline"

    def hand_over(self) -> bool:
        """Make this agent the newcomer who takes over its post, and say
        whether it could.

        The newcomer gets a new Mesa ``unique_id``, the next of the model's
        count, the one a newly created agent would get; nothing else changes,
        since a frontline agent holds nothing but its post's index (its
        state is the model's arrays, which the model writes for the
        newcomer). This stands in for removing the agent and creating
        another: Mesa's removal and registration cost about 11 us a hire,
        and a hospital of 100,000 staff hires some 600 people a week.

        Returns False, changing nothing, under a Mesa that keeps no count of
        ids per model to draw from (Mesa 3.3's ``Agent._ids``; later
        versions number agents otherwise): the caller then swaps in a new
        agent.
        """
        ids = getattr(mesa.Agent, "_ids", None)
        if ids is None:
            return False
        self.unique_id = next(ids[self.model])
        return True
