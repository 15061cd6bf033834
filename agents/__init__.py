"""The people of the hospital, as Mesa agents.

Every person is a `Person` (a `mesa.Agent`) whose state lives in the model's
arrays. Leaders (`CEO`, `SeniorLeader`, `MiddleManager`) also decide how to
spend their personal capital each week.
"""

from agents.leaders import CEO, Leader, MiddleManager, SeniorLeader
from agents.person import Person
from agents.staff import FrontlineStaff

AGENT_CLASSES = (CEO, SeniorLeader, MiddleManager, FrontlineStaff)
"""Agent class by role code (0 CEO, 1 senior, 2 middle, 3 frontline)."""

__all__ = ["AGENT_CLASSES", "CEO", "FrontlineStaff", "Leader", "MiddleManager", "Person", "SeniorLeader"]
