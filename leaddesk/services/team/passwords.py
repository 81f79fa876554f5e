"""Password hashing (Argon2id, memory-hard) and the login back-off policy.

The hash string carries its own parameters, so raising the costs later only needs
:func:`needs_rehash` at the next successful login. Tests swap in cheap parameters with
:func:`hashing_parameters` so that they stay fast; nothing else should.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

log = logging.getLogger("leaddesk.security")

# RFC 9106's second recommended option (also argon2-cffi's default): ~50 ms and 64 MiB per hash.
TIME_COST = 3
MEMORY_COST_KIB = 64 * 1024
PARALLELISM = 4

_hasher = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM)
_dummy_hash: str | None = None  # hashed lazily with the current parameters


def hash_password(password: str) -> str:
    """A salted Argon2id hash of ``password`` in PHC string format (``$argon2id$...``)."""
    _check_str(password)
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; ``False`` for a wrong password or an unreadable hash.

    With ``stored_hash=None`` (no such user) it still spends the time of one verification, so
    the answer's timing does not tell which user names exist.
    """
    _check_str(password)
    if stored_hash is None:
        _verify_quietly(_get_dummy_hash(), password)
        return False
    return _verify_quietly(stored_hash, password)


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with other parameters than the current ones."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@contextmanager
def hashing_parameters(
    *, time_cost: int = 1, memory_cost_kib: int = 8, parallelism: int = 1
) -> Iterator[None]:
    """Use other (by default the cheapest) parameters inside the block — for tests only."""
    global _hasher, _dummy_hash
    saved = _hasher, _dummy_hash
    _hasher = PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost_kib, parallelism=parallelism
    )
    _dummy_hash = None
    try:
        yield
    finally:
        _hasher, _dummy_hash = saved


def _verify_quietly(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except VerifyMismatchError:
        return False
    except InvalidHashError:
        log.warning("unreadable password hash refused")  # never log the hash itself
        return False
    except VerificationError:
        return False


def _get_dummy_hash() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("leaddesk: no such user")
    return _dummy_hash


def _check_str(password: object) -> None:
    if not isinstance(password, str):
        raise TypeError("password must be a str")


# --- login back-off -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ThrottleDecision:
    allowed: bool
    wait: timedelta  # zero when allowed
    retry_at: datetime | None  # when the next attempt is allowed; None when allowed now


class LoginThrottle:
    """Exponential back-off after repeated failed logins; pure, the caller keeps the counts.

    The first ``free_failures - 1`` failures cost nothing; from the ``free_failures``-th on, the
    next attempt waits ``base_delay``, doubling with each further failure up to ``max_delay``.
    The caller stores the consecutive failure count and the last failure time per user and resets
    them after a successful login.
    """

    def __init__(
        self,
        *,
        free_failures: int = 5,
        base_delay: timedelta = timedelta(seconds=30),
        max_delay: timedelta = timedelta(minutes=15),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if free_failures < 1:
            raise ValueError("free_failures must be at least 1")
        if base_delay <= timedelta(0) or max_delay < base_delay:
            raise ValueError("need 0 < base_delay <= max_delay")
        self.free_failures = free_failures
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._clock = clock

    def delay_after(self, failures: int) -> timedelta:
        """How long the next attempt must wait after ``failures`` consecutive failures."""
        if failures < 0:
            raise ValueError("failures cannot be negative")
        if failures < self.free_failures:
            return timedelta(0)
        doublings = failures - self.free_failures
        # Compare exponents first: base_delay * 2**doublings overflows a timedelta long before
        # the failure count stops growing.
        if doublings >= math.log2(self.max_delay / self.base_delay):
            return self.max_delay
        return self.base_delay * 2**doublings

    def check(self, failures: int, last_failure_at: datetime | None) -> ThrottleDecision:
        """Whether a login may be attempted now, and if not, for how long to wait."""
        delay = self.delay_after(failures)
        if delay == timedelta(0) or last_failure_at is None:
            return ThrottleDecision(True, timedelta(0), None)
        if last_failure_at.tzinfo is None:
            raise ValueError("last_failure_at must be timezone-aware")
        now = self._clock()
        # A clock set back must not make the wait longer than the delay itself.
        wait = min(last_failure_at + delay - now, delay)
        if wait <= timedelta(0):
            return ThrottleDecision(True, timedelta(0), None)
        return ThrottleDecision(False, wait, now + wait)
