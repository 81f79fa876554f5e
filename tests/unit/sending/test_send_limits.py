"""Backoff with jitter and token buckets, on injected clocks and randomness."""

from __future__ import annotations

import random

from leaddesk.sending.limits import Backoff, RateLimits, TokenBucket


def test_backoff_doubles_within_jitter_and_caps():
    backoff = Backoff(base=10, cap=100, rng=random.Random(3))
    for attempts, full in ((1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (9, 100)):
        delay = backoff.delay(attempts)
        assert full / 2 <= delay <= full


def test_retry_after_is_a_floor():
    backoff = Backoff(base=1, cap=2, rng=random.Random(3))
    assert backoff.delay(1, retry_after=30) == 30
    assert backoff.delay(1, retry_after=0.1) >= 0.5


def test_jitter_spreads_a_batch_that_failed_together():
    backoff = Backoff(base=60, rng=random.Random(5))
    delays = {round(backoff.delay(3), 3) for _ in range(20)}
    assert len(delays) > 15


def test_token_bucket_paces_to_the_rate():
    now = [0.0]
    bucket = TokenBucket(rate_per_minute=60, clock=lambda: now[0])  # one a second
    assert bucket.take() == 0  # the burst of one
    assert bucket.take() == 1.0
    now[0] = 5.0
    assert bucket.take() == 0


def test_rate_limits_take_the_longest_wait_and_skip_unlimited_keys():
    now = [0.0]
    limits = RateLimits(clock=lambda: now[0])
    assert limits.wait_for({"channel:sms": 60, "integration:x": 30, "other": None}) == 0
    assert limits.wait_for({"channel:sms": 60, "integration:x": 30}) == 2.0
