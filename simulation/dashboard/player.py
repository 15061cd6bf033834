"""Play, pause, step and run to a week: the one thread that steps the models.

Why a thread of our own, and not Mesa's play loop: a page whose buttons step
the model in one thread while another draws it can draw a model in the middle
of a step (the plots then see time series of different lengths), and a loop
that asks for a redraw after every week can ask faster than the page draws,
until the page gives up ("Too many renders"). Here, one `Player` per page
owns the `Classroom`:

* every step, every rebuild from new settings, and every snapshot happens in
  the player's own thread, one after the other, so a model is never read
  while it steps;
* a `Snapshot` (a copy of one week, see `simulation.dashboard.snapshot`) is
  taken at most every `FRAME_INTERVAL` seconds, and always when the run
  stops. A second thread, the drawer, hands the newest snapshot to the page
  whenever the page has finished drawing the last one, and skips any it had
  no time for. So the models keep their pace however long a frame takes to
  draw: the page renders less often, never slower;
* the buttons only leave a request (play, pause, step, run to week N, new
  settings) and return at once, so the page never waits for the model.

The player knows nothing of Solara: the page passes it two callbacks,
``on_frame(snapshot)`` (called from the drawer's thread) and
``on_status(status)`` (from the stepping thread), never while it holds its lock.

>>> frames = []
>>> player = Player(on_frame=frames.append)
>>> player.load(Settings(preset="mandate"))
>>> player.run_to(3)
>>> player.wait_until_idle()
True
>>> frames[-1].week
3
>>> player.close()
"""

from __future__ import annotations

import logging
import math
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from simulation.config import ConfigError
from simulation.dashboard.classroom import Classroom, Settings
from simulation.dashboard.snapshot import Departures, Snapshot, take
from simulation.organization import ChartError

log = logging.getLogger(__name__)

FRAME_INTERVAL = 0.12
"""Shortest time between two frames handed to the page while playing, in
seconds (about eight frames a second): enough for smooth motion, and few
enough that drawing never falls behind on a classroom computer."""

SPEEDS: dict[str, float | None] = {
    "Slow: 2 weeks a second": 2.0,
    "Steady: 5 weeks a second": 5.0,
    "Normal: 10 weeks a second (a year in 5 s)": 10.0,
    "Fast: 26 weeks a second (a year in 2 s)": 26.0,
    "As fast as the computer can": None,
}
"""The speed control's choices: weeks simulated per second while playing
(None: no pause between weeks at all)."""
DEFAULT_SPEED = "Normal: 10 weeks a second (a year in 5 s)"
YEAR = 52
"""Weeks in a year, for "Run one year"."""


@dataclass(frozen=True)
class Status:
    """What the buttons show: whether the run is moving, towards which week
    (None: until paused), and whether new settings are being applied."""

    moving: bool = False
    goal: int | None = None
    busy: bool = False
    problem: str | None = None


class Player:
    """Steps one `Classroom` in a thread of its own (see the module).

    Parameters
    ----------
    on_frame : callable(Snapshot)
        Called with each new frame, from the player's thread.
    on_status : callable(Status), optional
        Called whenever the status changes (play starts or stops, a rebuild
        starts or ends, a setting is refused).
    speed : float or None
        Weeks a second while playing; None for as fast as it goes.
    """

    live: weakref.WeakSet[Player] = weakref.WeakSet()
    """Every player still in memory, so that `close_all` can reach them."""

    def __init__(self, on_frame: Callable[[Snapshot], None],
                 on_status: Callable[[Status], None] | None = None,
                 speed: float | None = SPEEDS[DEFAULT_SPEED]) -> None:
        self.on_frame = on_frame
        self.on_status = on_status or (lambda status: None)
        self.classroom: Classroom | None = None
        self.latest: Snapshot | None = None
        self._departures: list[Departures] = []
        self._serial = 0
        lock = threading.RLock()  # one lock, two conditions: `_cv` and `_fresh`
        self._cv = threading.Condition(lock)
        self._pending: Settings | None = None
        self._goal: float | None = None  # the week to stop at; math.inf while playing
        self._speed = speed
        self._clock = (0.0, 0)  # (time, week) from which the speed counts
        self._status = Status()
        self._closed = False
        self._idle = threading.Event()
        self._idle.set()
        self._stepper_idle = True
        self._delivered = 0  # serial of the last snapshot the page was handed
        self._fresh = threading.Condition(lock)  # a new snapshot for the drawer
        self._thread = threading.Thread(target=self._run, name="orgchange-player", daemon=True)
        self._drawer = threading.Thread(target=self._draw, name="orgchange-drawer", daemon=True)
        self._thread.start()
        self._drawer.start()
        Player.live.add(self)

    # -- requests (from any thread; each returns at once) ----------------------------------
    def load(self, settings: Settings) -> None:
        """Rebuild the classroom from ``settings``, at week 0 (the run stops).
        Settings that cannot run are refused with a message in the status,
        and the classroom stays as it was."""
        with self._cv:
            self._pending = settings
            self._goal = None
            self._idle.clear()
            self._stepper_idle = False
            self._cv.notify()

    def play(self) -> None:
        """Play until paused."""
        self._move_to(math.inf)

    def pause(self) -> None:
        """Stop after the week being simulated; the page gets that week."""
        with self._cv:
            self._goal = None
            self._cv.notify()

    def step(self, weeks: int = 1) -> None:
        """Advance ``weeks`` weeks (1 or more) from where the run stands."""
        self.run_to(self._week() + max(1, int(weeks)))

    def run_to(self, week: int) -> None:
        """Play at the chosen speed until ``week``, then stop there (nothing
        happens for a week already passed)."""
        self._move_to(float(week))

    def run_one_year(self) -> None:
        """Play on for 52 weeks from where the run stands, then stop."""
        self.run_to(self._week() + YEAR)

    @property
    def speed(self) -> float | None:
        return self._speed

    @speed.setter
    def speed(self, weeks_per_second: float | None) -> None:
        with self._cv:
            self._speed = weeks_per_second
            self._clock = (time.monotonic(), self._week())
            self._cv.notify()

    def close(self) -> None:
        """Stop both threads (the page is gone)."""
        with self._cv:
            self._closed = True
            self._goal = None
            self._cv.notify()
            self._fresh.notify_all()

    @classmethod
    def close_all(cls) -> None:
        """Stop every player (the server is shutting down)."""
        for player in list(cls.live):
            player.close()

    def wait_until_idle(self, timeout: float | None = None) -> bool:
        """Block until no request is pending and the run is not moving (for
        tests and benchmarks; the page never waits). False on a timeout."""
        return self._idle.wait(timeout)

    # -- the thread ----------------------------------------------------------------------
    def _week(self) -> int:
        return self.classroom.week if self.classroom is not None else 0

    def _move_to(self, goal: float) -> None:
        with self._cv:
            if goal <= self._week() and self._pending is None:
                return
            if self._goal is None:  # starting: the speed counts from now
                self._clock = (time.monotonic(), self._week())
            self._goal = goal
            self._idle.clear()
            self._stepper_idle = False
            self._cv.notify()

    def _set_status(self, **changes) -> None:
        new = Status(**{**self._status.__dict__, **changes})
        if new != self._status:
            self._status = new
            self.on_status(new)

    def _publish(self) -> None:
        """Take a snapshot of the week, for the drawer to hand to the page."""
        snapshot = take(self.classroom, self._departures, self._serial + 1)
        with self._cv:
            self._serial += 1
            self.latest = snapshot
            self._fresh.notify()

    def _draw(self) -> None:
        """The drawer: hand the newest snapshot to the page, one at a time,
        at most every `FRAME_INTERVAL` seconds."""
        last = 0.0
        while True:
            with self._cv:
                while not self._closed and self._delivered == self._serial:
                    self._fresh.wait()
                if self._closed:
                    return
                snapshot = self.latest
            time.sleep(max(0.0, last + FRAME_INTERVAL - time.monotonic()))
            with self._cv:  # a newer one may have come while we waited
                snapshot = self.latest
            assert snapshot is not None  # a serial not yet delivered is a published snapshot's
            last = time.monotonic()
            try:
                self.on_frame(snapshot)
            except Exception:  # a failed drawing must not end the thread
                log.exception("the dashboard could not draw week %s", snapshot.week)
            with self._cv:
                self._delivered = snapshot.serial
                if self._stepper_idle and self._delivered == self._serial:
                    self._idle.set()
                self._cv.notify_all()  # a run at full speed waits for this (see `_run`)

    def _rebuild(self, settings: Settings) -> None:
        self._set_status(busy=True, moving=False, goal=None)
        try:
            classroom = Classroom(settings)
        except (ConfigError, ChartError) as err:
            self._set_status(busy=False, problem=str(err))
            return
        self.classroom = classroom
        self._departures = [Departures(model) for model in classroom.models]
        self._publish()
        self._set_status(busy=False, problem=None)

    def _due(self) -> float:
        """The week the run should have reached by now, at the chosen speed."""
        if self._speed is None:
            return math.inf
        start, week = self._clock
        return week + math.floor((time.monotonic() - start) * self._speed)

    def _run(self) -> None:
        last_frame = 0.0
        while True:
            with self._cv:
                if self._closed:
                    self._fresh.notify_all()
                    self._idle.set()
                    return
                if self._pending is None and self._goal is None and not self._status.moving:
                    self._stepper_idle = True
                    if self._delivered == self._serial:
                        self._idle.set()
                    self._cv.wait()
                    continue
                self._stepper_idle = False
                pending, self._pending = self._pending, None
                goal = self._goal
                if pending is None and goal is not None and self._week() + 1 > self._due():
                    # Ahead of the clock: wait for the next week's turn (a request wakes us).
                    start, week = self._clock
                    speed = self._speed
                    assert speed is not None  # else the run is never ahead of the clock (see `_due`)
                    self._cv.wait(max(start + (self._week() + 1 - week) / speed - time.monotonic(), 0.0))
                    continue
            try:
                if pending is not None:
                    self._rebuild(pending)
                    last_frame = time.monotonic()
                elif goal is None or self.classroom is None:
                    # Paused while moving: the page gets the week the run stopped at.
                    if self.classroom is not None:
                        self._publish()
                    self._set_status(moving=False, goal=None)
                else:
                    self._set_status(moving=True, goal=None if goal == math.inf else int(goal))
                    self.classroom.step()
                    for departures, model in zip(self._departures, self.classroom.models):
                        departures.check(model)
                    with self._cv:
                        arrived = self._goal is not None and self._week() >= self._goal
                        if arrived:
                            self._goal = None
                    if arrived or time.monotonic() - last_frame >= FRAME_INTERVAL / 2:
                        self._publish()
                        if self._speed is None and not arrived:
                            # At full speed the stepping would starve the drawer of the interpreter
                            # (Python runs one thread at a time): let the page have this frame first.
                            with self._cv:
                                self._cv.wait_for(lambda: self._delivered == self._serial or self._closed
                                                  or self._goal is None or self._pending is not None, timeout=1.0)
                        last_frame = time.monotonic()
                    if arrived:
                        self._set_status(moving=False, goal=None)
            except Exception as err:  # a failed step must not end the thread silently
                log.exception("the dashboard's run stopped")
                with self._cv:
                    self._goal = None
                self._set_status(moving=False, goal=None, busy=False, problem=f"The run stopped: {err}")
