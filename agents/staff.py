"""Frontline staff: the nurses, physicians and technicians who deliver care."""

from __future__ import annotations

from agents.person import Person


class FrontlineStaff(Person):
    """A member of a unit's front line.

    Frontline staff make no strategic decisions; what they feel and do
    follows the rules in `Person.step`, from their manager's direction, their
    peers, the leaders they see and the projects around them.
    """

    role = "frontline"
