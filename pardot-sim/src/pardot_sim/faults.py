"""Fault injection: failures a real network and a real Pardot produce, on demand or by chance.

Two ways in: `rates` fail a share of requests at random (seeded, so a run can be repeated; kind
"error" answers Pardot error `rate_code`, 66 unless set), and
`script` fails the next N requests matching a path pattern, for tests that need an exact sequence.

Most kinds fail a request before Pardot acts on it. Two act first and lose the answer, as a
network does after Pardot accepted a call: `lost_answer` runs the request, then resets the
connection; `late_answer` runs it, then holds the answer for `slow_seconds` (longer than the
client's read timeout, it is a timeout after acceptance).
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

KINDS = (
    "500", "502", "503", "429", "reset", "slow", "truncate", "error", "lost_answer", "late_answer",
)  # fmt: skip
AFTER_KINDS = ("lost_answer", "late_answer", "truncate", "slow")  # kinds the request runs under


@dataclass
class FaultRule:
    """Fail the next `count` requests whose path matches `path` (a regex) with `kind`.

    `kind` "error" answers Pardot error `code` (e.g. 66, 183, 184, 122) in the route's format.
    """

    kind: str
    path: str = ".*"
    count: int = 1
    code: int | None = None
    method: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"fault kind must be one of {KINDS}, not {self.kind!r}")
        if self.kind == "error" and self.code is None:
            raise ValueError("an 'error' fault needs a Pardot error code")
        self._pattern = re.compile(self.path)

    def matches(self, method: str, path: str) -> bool:
        """Whether this rule applies to a request."""
        wanted = self.method is None or self.method.upper() == method
        return wanted and self.count > 0 and bool(self._pattern.search(path))


@dataclass
class FaultPlan:
    """The faults in force: scripted rules first, then random rates."""

    rates: dict[str, float] = field(default_factory=dict)  # kind -> probability per request
    rate_path: str = ".*"  # random faults only hit paths matching this
    rate_code: int = 66  # the Pardot error code of random "error" faults
    slow_seconds: float = 2.0
    seed: int = 0
    script: list[FaultRule] = field(default_factory=list)
    injected: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def configure(self, settings: dict[str, Any]) -> None:
        """Replace rates/script/seed from an admin request."""
        with self._lock:
            if "rates" in settings:
                rates = {str(k): float(v) for k, v in settings["rates"].items()}
                bad = set(rates) - set(KINDS)
                if bad:
                    raise ValueError(f"unknown fault kinds {sorted(bad)}; known: {KINDS}")
                self.rates = rates
            self.rate_path = str(settings.get("rate_path", self.rate_path))
            self.rate_code = int(settings.get("rate_code", self.rate_code))
            self.slow_seconds = float(settings.get("slow_seconds", self.slow_seconds))
            if "seed" in settings:
                self.seed = int(settings["seed"])
                self._rng.seed(self.seed)
            if "script" in settings:
                self.script = [FaultRule(**rule) for rule in settings["script"]]

    def draw(self, method: str, path: str) -> FaultRule | None:
        """The fault to apply to this request, if any (consuming a scripted one)."""
        with self._lock:
            for rule in self.script:
                if rule.matches(method, path):
                    rule.count -= 1
                    return self._count(rule)
            if not self.rates or not re.search(self.rate_path, path):
                return None
            roll = self._rng.random()
            for kind, rate in self.rates.items():
                if roll < rate:
                    code = self.rate_code if kind == "error" else None
                    return self._count(FaultRule(kind, code=code))
                roll -= rate
            return None

    def _count(self, rule: FaultRule) -> FaultRule:
        self.injected[rule.kind] = self.injected.get(rule.kind, 0) + 1
        return rule

    def as_dict(self) -> dict[str, Any]:
        """The plan for the admin API."""
        with self._lock:
            return {
                "rates": dict(self.rates),
                "rate_path": self.rate_path,
                "rate_code": self.rate_code,
                "slow_seconds": self.slow_seconds,
                "seed": self.seed,
                "script": [
                    {"kind": r.kind, "path": r.path, "count": r.count, "code": r.code}
                    for r in self.script
                    if r.count > 0
                ],
                "injected": dict(self.injected),
            }
