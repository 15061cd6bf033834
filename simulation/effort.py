"""Leader effort: what a strategy asks of its leaders, in leader-hours a week.

Every leader's duties cost personal capital (the ``*_hours`` parameters of `simulation.parameters.Behaviour`);
the time series records the hours actually spent (``leader_hours``), which
fall short of the plan when leaders run out of energy. To compare strategies
at equal cost (pattern P2: a team against a lone leader), `scale_to_effort`
scales a strategy until it plans a given number of leader-hours a week.
"""

from __future__ import annotations

from simulation.config import Config, ConfigError

EFFORT_LEVERS = {"steering": 1.0, "accountability": 1.0, "barrier_removal": 1.0, "rounding_frequency": 7.0,
                 "behind_the_scenes": 1.0, "physician_engagement": 1.0}
"""The levers that cost leaders time, with their upper bounds."""


def planned_hours(model) -> float:
    """Leader-hours a week that the levers in force ask of all leaders."""
    return sum(model.people[i].planned_hours() for i in model.on_duty)


def scale_to_effort(config: Config, hours: float, tolerance: float = 1e-6) -> Config:
    """``config`` with its effort levers scaled by one common factor, so that
    its leaders plan ``hours`` leader-hours a week.

    Intensities are capped at their bounds (steering at 1, rounding at 7 a
    week), so a strategy can be scaled only within a range; outside it,
    `ConfigError` says what the range is. Who is involved, sponsorship counts
    and the committee are left as they are.
    """
    from simulation.model import OrgChangeModel  # the model imports this module's neighbours

    model = OrgChangeModel(config)
    base = {name: getattr(config, name) for name in EFFORT_LEVERS}

    def scaled(k: float) -> dict[str, float]:
        return {name: min(cap, base[name] * k) for name, cap in EFFORT_LEVERS.items()}

    def hours_at(k: float) -> float:
        model.set_levers(**scaled(k))
        return planned_hours(model)

    top = max([cap / base[name] for name, cap in EFFORT_LEVERS.items() if base[name] > 0], default=0.0)
    low, high = hours_at(0.0), hours_at(top)
    if not low - tolerance <= hours <= high + tolerance:
        raise ConfigError(f"effort: this strategy can be scaled to between {low:.2f} and {high:.2f} "
                          f"leader-hours a week, got {hours:g}")
    lo, hi = 0.0, top
    for _ in range(200):
        mid = (lo + hi) / 2
        if hours_at(mid) < hours:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return config.replace(**scaled(hi))
