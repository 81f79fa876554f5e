"""Argon2id password hashing: verify never raises for a wrong password, rehash on new costs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from leaddesk.services.team import passwords
from leaddesk.services.team.passwords import hash_password, needs_rehash, verify_password


@pytest.fixture(autouse=True)
def cheap_hashing() -> Iterator[None]:
    with passwords.hashing_parameters():
        yield


def test_a_hash_verifies_its_password_only() -> None:
    stored = hash_password("correct horse battery staple")

    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert verify_password(stored, "correct horse battery staple") is True
    assert verify_password(stored, "correct horse battery stapler") is False
    assert verify_password(stored, "") is False


def test_the_same_password_hashes_differently_each_time() -> None:
    assert hash_password("s3cret") != hash_password("s3cret")


def test_unicode_passwords_work() -> None:
    stored = hash_password("pässwörd 🔑")

    assert verify_password(stored, "pässwörd 🔑")
    assert not verify_password(stored, "passwörd 🔑")


@pytest.mark.parametrize("stored", ["", "plain text", "$argon2id$v=19$m=8,t=1,p=1$broken"])
def test_an_unreadable_hash_is_a_refusal_not_a_crash(
    stored: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert verify_password(stored, "anything") is False
    assert stored not in caplog.text or not stored


def test_an_unknown_user_is_refused_after_the_same_work() -> None:
    assert verify_password(None, "whatever") is False


def test_passwords_must_be_text() -> None:
    with pytest.raises(TypeError):
        hash_password(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        verify_password(hash_password("x"), None)  # type: ignore[arg-type]


def test_a_hash_made_with_other_costs_needs_rehash() -> None:
    cheap = hash_password("s3cret")
    assert not needs_rehash(cheap)

    with passwords.hashing_parameters(time_cost=2, memory_cost_kib=16):
        assert needs_rehash(cheap)
        assert verify_password(cheap, "s3cret"), "old hashes still verify after a cost change"

    assert needs_rehash("not a hash")


def test_the_production_costs_are_memory_hard() -> None:
    assert passwords.MEMORY_COST_KIB >= 19 * 1024  # OWASP's floor for Argon2id
    assert passwords.TIME_COST >= 2


def test_the_override_is_undone_after_the_block() -> None:
    outer = hash_password("x")
    with passwords.hashing_parameters(time_cost=2):
        pass
    assert not needs_rehash(outer)
