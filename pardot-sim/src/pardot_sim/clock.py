"""The simulated clock: real time scaled by a speed, plus manual jumps.

Export and import jobs progress on this clock, and the daily call limit resets by it, so tests can
run hours of Pardot time in seconds and benchmarks can keep real latencies.
"""

from __future__ import annotations

import threading
import time


class SimClock:
    """Epoch seconds on the simulator's timeline."""

    def __init__(self, start: float | None = None, speed: float = 1.0) -> None:
        self._lock = threading.Lock()
        self._origin_real = time.monotonic()
        self._origin_sim = time.time() if start is None else start
        self._speed = speed

    def now(self) -> float:
        """The simulated time now."""
        with self._lock:
            return self._origin_sim + (time.monotonic() - self._origin_real) * self._speed

    @property
    def speed(self) -> float:
        """Simulated seconds per real second (0 freezes the clock)."""
        return self._speed

    def set_speed(self, speed: float) -> None:
        """Change the speed from now on, keeping the current time."""
        if speed < 0:
            raise ValueError("clock speed cannot be negative")
        self._rebase(0.0, speed)

    def advance(self, seconds: float) -> float:
        """Jump forward (never back: jobs and limits assume time does not reverse)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        return self._rebase(seconds, self._speed)

    def _rebase(self, jump: float, speed: float) -> float:
        with self._lock:
            real = time.monotonic()
            self._origin_sim += (real - self._origin_real) * self._speed + jump
            self._origin_real = real
            self._speed = speed
            return self._origin_sim
