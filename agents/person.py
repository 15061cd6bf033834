"""`Person`: every member of the hospital, as a Mesa agent.

A person's state lives in the model's arrays (`simulation.state.StaffState`);
the agent is a view onto row ``index`` of them. ``step()`` is the per-agent
reference engine: it applies the rules of `simulation.rules` to this one
person, reading last week's state of the people around them and writing
next week's state of this person only (a synchronous update).
"""

from __future__ import annotations

import mesa

from simulation import rules


def _array_property(name: str, doc: str) -> property:
    def get(self):
        return getattr(self.model.state, name)[self.index]

    def set_(self, value):
        getattr(self.model.state, name)[self.index] = value

    return property(get, set_, doc=doc)


class Person(mesa.Agent):
    """One member of staff, whatever their role.

    Parameters
    ----------
    model : OrgChangeModel
        The model whose arrays hold this person's state.
    index : int
        This person's row in those arrays (their node in the organization).
    """

    role = "person"

    def __init__(self, model, index: int) -> None:
        super().__init__(model)
        self.index = index

    commitment = _array_property("commitment", "Commitment to quality, 0-1 (an attitude).")
    alignment = _array_property("alignment", "Clarity of direction and expectations, 0-1.")
    direction = _array_property("direction", "Direction held and passed on to reports, 0-1.")
    trust = _array_property("trust", "Trust in leadership, 0-1.")
    cynicism = _array_property("cynicism", "Fatigue and cynicism about initiatives, 0-1.")
    predisposition = _array_property("predisposition", "Private anchor of commitment, 0-1.")
    susceptibility = _array_property("susceptibility", "Weight on social influence over predisposition, 0-1.")
    threshold = _array_property("threshold", "Practice drive needed to do QI work (drive units).")
    tenure = _array_property("tenure", "Weeks in the organization.")

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

    # -- the reference engine ------------------------------------------------
    def step(self) -> None:
        """Work out this person's state for next week (steps 3, 4, 5 and 7).

        Reads only last week's arrays and this week's leader signals, and
        writes only this person's row of ``model.next_state``, so the order
        in which agents step does not matter.
        """
        m, cfg, i = self.model, self.model.config, self.index
        now, nxt, sig = m.state, m.next_state, m.signals

        # 3. Structural cascade: take up the direction the manager relays.
        boss = m.organization.manager[i]
        if boss >= 0:
            gain = rules.relay_gain(now.commitment[boss], cfg.relay_gain_low, cfg.relay_gain_high,
                                    m.development[boss])
            direction = rules.direction_next(sig.steer[i], now.direction[boss], gain)
        else:
            gain = 0.0
            direction = rules.direction_next(sig.steer[i], 0.0, 0.0)
        alignment = rules.alignment_next(now.alignment[i], direction, cfg.alignment_rate)

        # 4. Social influence: peers and manager, then visible leaders.
        weighted, total, practising = 0.0, 0.0, 0.0
        peers = m.peers
        for k in range(peers.indptr[i], peers.indptr[i + 1]):
            j, w = peers.indices[k], peers.data[k]
            weighted += w * now.commitment[j]
            total += w
            practising += w * now.practice[j]
        ties = total
        seen_sum, seen_weight = 0.0, 0.0
        skip = m.skip_level
        for k in range(skip.indptr[i], skip.indptr[i + 1]):
            j = skip.indices[k]
            seen_sum += sig.visibility[j] * now.commitment[j]
            seen_weight += sig.visibility[j]
        trust_weight = rules.leader_trust_weight(now.trust[i], now.cynicism[i])
        weighted += trust_weight * (cfg.leader_weight * seen_sum + sig.contact_sum[i])
        total += trust_weight * (cfg.leader_weight * seen_weight + sig.contact_weight[i])
        target = rules.influence_target(weighted, total, now.commitment[i], now.predisposition[i],
                                        now.susceptibility[i], now.cynicism[i], cfg.cynicism_weight)
        target = rules.practice_experience(target, now.practice[i], cfg.practice_learning)
        commitment = rules.commitment_next(now.commitment[i], target, cfg.influence_rate)
        commitment = rules.feedback(commitment, sig.kept[i], cfg.feedback_boost)

        # 5. Practice: a threshold on attitude, clarity, pressure, peers and habit.
        pressure = rules.accountability_pressure(sig.accountability, gain)
        drive = rules.practice_drive(commitment, alignment, pressure,
                                     rules.peer_practice(practising, ties, cfg.peer_mode), now.practice[i],
                                     cfg.weight_commitment, cfg.weight_alignment, cfg.weight_accountability,
                                     cfg.weight_peers, cfg.habit)

        # 7. Fatigue: broken promises breed cynicism; kept ones build trust.
        nxt.direction[i] = direction
        nxt.alignment[i] = alignment
        nxt.commitment[i] = commitment
        nxt.practice[i] = rules.practice_next(now.practice[i], rules.practises(drive, now.threshold[i]),
                                              sig.practice_draw[i], cfg.practice_uptake)
        nxt.cynicism[i] = rules.cynicism_next(now.cynicism[i], cfg.cynicism_decay,
                                              sig.broken[i] * cfg.broken_promise_cynicism)
        nxt.trust[i] = rules.trust_next(now.trust[i], sig.kept[i], sig.broken[i], cfg.trust_rate)
        nxt.predisposition[i] = rules.developed_predisposition(now.predisposition[i], m.development[i],
                                                                cfg.development_rate)
        nxt.tenure[i] = now.tenure[i] + 1.0
