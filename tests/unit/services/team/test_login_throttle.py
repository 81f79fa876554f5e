"""Login back-off: free attempts, then 30 s doubling to a 15-minute cap, on an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaddesk.services.team.passwords import LoginThrottle, ThrottleDecision

T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def throttle(clock: Clock) -> LoginThrottle:
    return LoginThrottle(clock=clock)


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (1, 0), (4, 0), (5, 30), (6, 60), (7, 120), (8, 240), (9, 480), (10, 900), (50, 900)],
)
def test_the_default_schedule(throttle: LoginThrottle, failures: int, seconds: int) -> None:
    assert throttle.delay_after(failures) == timedelta(seconds=seconds)


def test_huge_failure_counts_stay_at_the_cap(throttle: LoginThrottle) -> None:
    assert throttle.delay_after(10**9) == timedelta(minutes=15)


def test_below_the_threshold_login_is_allowed(throttle: LoginThrottle) -> None:
    assert throttle.check(4, T0) == ThrottleDecision(True, timedelta(0), None)
    assert throttle.check(0, None).allowed


def test_after_five_failures_the_user_waits_then_may_retry(
    throttle: LoginThrottle, clock: Clock
) -> None:
    clock.now = T0 + timedelta(seconds=10)
    decision = throttle.check(5, T0)
    assert decision == ThrottleDecision(False, timedelta(seconds=20), T0 + timedelta(seconds=30))

    clock.now = T0 + timedelta(seconds=30)
    assert throttle.check(5, T0).allowed


def test_the_wait_is_capped(throttle: LoginThrottle) -> None:
    decision = throttle.check(40, T0)

    assert not decision.allowed
    assert decision.wait == timedelta(minutes=15)


def test_a_clock_set_back_does_not_lengthen_the_wait(throttle: LoginThrottle, clock: Clock) -> None:
    clock.now = T0 - timedelta(days=3)

    assert throttle.check(5, T0).wait == timedelta(seconds=30)


def test_the_policy_is_configurable(clock: Clock) -> None:
    throttle = LoginThrottle(
        free_failures=3,
        base_delay=timedelta(seconds=1),
        max_delay=timedelta(seconds=5),
        clock=clock,
    )

    assert [throttle.delay_after(n).total_seconds() for n in range(2, 8)] == [0, 1, 2, 4, 5, 5]


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"free_failures": 0}, "at least 1"),
        ({"base_delay": timedelta(0)}, "base_delay"),
        ({"base_delay": timedelta(minutes=20), "max_delay": timedelta(minutes=15)}, "max_delay"),
    ],
)
def test_nonsense_policies_are_rejected(kwargs: dict[str, object], says: str) -> None:
    with pytest.raises(ValueError, match=says):
        LoginThrottle(**kwargs)  # type: ignore[arg-type]


def test_bad_inputs_are_rejected(throttle: LoginThrottle) -> None:
    with pytest.raises(ValueError, match="negative"):
        throttle.delay_after(-1)
    with pytest.raises(ValueError, match="timezone-aware"):
        throttle.check(6, datetime(2025, 5, 1, 8, 0))


def test_the_default_clock_is_real_utc_time() -> None:
    decision = LoginThrottle().check(5, datetime.now(UTC))

    assert not decision.allowed
    assert timedelta(seconds=25) < decision.wait <= timedelta(seconds=30)


@given(failures=st.integers(0, 200))
def test_delays_never_shrink_and_never_pass_the_cap(failures: int) -> None:
    throttle = LoginThrottle()

    assert throttle.delay_after(failures) <= throttle.delay_after(failures + 1)
    assert throttle.delay_after(failures) <= timedelta(minutes=15)


@given(failures=st.integers(0, 60), elapsed=st.integers(-(10**6), 10**6))
def test_wait_is_the_remaining_delay(failures: int, elapsed: int) -> None:
    clock = Clock(T0 + timedelta(seconds=elapsed))
    throttle = LoginThrottle(clock=clock)

    decision = throttle.check(failures, T0)

    delay = throttle.delay_after(failures)
    assert decision.allowed == (decision.wait == timedelta(0))
    assert timedelta(0) <= decision.wait <= delay
    if elapsed >= 0:
        assert decision.wait == max(delay - timedelta(seconds=elapsed), timedelta(0))
    if not decision.allowed:
        assert decision.retry_at == clock.now + decision.wait
