"""Retry timing and send rates: exponential backoff with jitter, and token buckets.

Both take their clock and randomness from the caller, so tests run them without real waiting.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Backoff:
    """Delay before attempt ``n + 1`` after ``n`` failed: ``base * 2**(n-1)`` capped at ``cap``,
    then "equal jitter" (between half and all of it), so retries of a batch that failed together
    spread out instead of hitting the provider together again. A provider's ``Retry-After`` is a
    floor."""

    base: float = 30.0
    cap: float = 3600.0
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        raw = min(self.cap, self.base * 2 ** max(0, attempts - 1))
        jittered = raw / 2 + self.rng.uniform(0, raw / 2)
        return max(jittered, retry_after or 0.0)


class TokenBucket:
    """``rate_per_minute`` sends on average, bursts up to ``burst``. Thread-safe."""

    def __init__(self, rate_per_minute: float, burst: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate_per_minute / 60.0
        self.burst = max(1.0, burst)
        self._tokens = self.burst
        self._clock = clock
        self._last = clock()
        self._lock = threading.Lock()

    def take(self) -> float:
        """Take a token; returns how long the caller must wait before using it (0: at once)."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate


class RateLimits:
    """Token buckets by key (``channel:sms``, ``integration:<id>``), created on first use."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def wait_for(self, limits: dict[str, float | None]) -> float:
        """Take a token from each limited key; the longest wait among them."""
        wait = 0.0
        for key, rate in limits.items():
            if not rate:
                continue
            with self._lock:
                bucket = self._buckets.get(key)
                if bucket is None:
                    bucket = self._buckets[key] = TokenBucket(rate, clock=self._clock)
            wait = max(wait, bucket.take())
        return wait
