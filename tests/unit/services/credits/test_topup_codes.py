"""Signed top-up codes: round trip, tolerant reading, and one distinct error per failure."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from leaddesk.services.credits import topup_codes as tc
from leaddesk.services.credits.topup_codes import (
    CodeAlreadyRedeemed,
    CodeNotForThisAccount,
    ExpiredCode,
    MalformedCode,
    Plan,
    TamperedCode,
    TopupCodeError,
    UnsupportedCodeVersion,
    issue_code,
    verify_code,
)

ISSUED = datetime(2025, 3, 1, 9, 30, 15, tzinfo=UTC)
EXPIRES = ISSUED + timedelta(days=90)
NOW = ISSUED + timedelta(days=1)

# One key pair for the module: generating is cheap, but the property tests run many examples.
_PRIVATE_PEM, _PUBLIC_PEM = tc.generate_keypair()
PRIVATE = tc.private_key_from_pem(_PRIVATE_PEM)
PUBLIC = tc.public_key_from_pem(_PUBLIC_PEM)


def issue(grant: Plan | str | int = Plan.STARTER, **kwargs: object) -> str:
    kwargs.setdefault("issued_at", ISSUED)
    return issue_code(PRIVATE, grant, kwargs.pop("expires_at", EXPIRES), **kwargs)  # type: ignore[arg-type]


def body_of(code: str) -> str:
    return code.removeprefix("LD1-").replace("-", "")


def reencode(blob: bytes) -> str:
    """Text for raw bytes, with a correct checksum, the way the issuer would write it."""
    return tc._to_text(blob + tc._checksum(blob))


def decode(code: str) -> bytes:
    return tc._from_text(code)


# --- round trip ---------------------------------------------------------------------------------


@pytest.mark.parametrize("plan", list(Plan))
def test_a_plan_code_round_trips(plan: Plan) -> None:
    code_id = uuid.uuid4()
    code = issue(plan, code_id=code_id)

    topup = verify_code(code, PUBLIC, NOW)

    assert topup == tc.TopupCode(
        code_id=code_id,
        plan=plan,
        credits=None,
        issued_at=ISSUED,
        expires_at=EXPIRES,
        account=None,
        version=1,
    )


def test_plan_names_are_accepted() -> None:
    assert verify_code(issue("enterprise"), PUBLIC, NOW).plan is Plan.ENTERPRISE


def test_a_credit_amount_round_trips_with_an_account() -> None:
    topup = verify_code(issue(2_500, account="org-7f3a"), PUBLIC, NOW, account="org-7f3a")

    assert (topup.plan, topup.credits, topup.account) == (None, 2_500, "org-7f3a")


def test_times_are_kept_to_the_second() -> None:
    topup = verify_code(issue(issued_at=ISSUED.replace(microsecond=999_999)), PUBLIC, NOW)

    assert topup.issued_at == ISSUED


def test_every_code_gets_its_own_id() -> None:
    assert verify_code(issue(), PUBLIC, NOW).code_id != verify_code(issue(), PUBLIC, NOW).code_id


def test_the_text_is_grouped_and_uses_an_unambiguous_alphabet() -> None:
    code = issue(1_000, account="org-1")

    assert code.startswith("LD1-")
    groups = code.split("-")[1:]
    assert all(len(group) == tc.GROUP for group in groups[:-1])
    assert set(body_of(code)) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    assert len(code) <= 200  # 1,000 credits for "org-1": 102 bytes


# --- tolerant reading ---------------------------------------------------------------------------


def test_case_whitespace_and_dashes_do_not_matter() -> None:
    code = issue()
    body = body_of(code).lower()
    wrapped = "  ld1-" + "\n".join(body[i : i + 30] for i in range(0, len(body), 30)) + " \t\n"

    assert verify_code(wrapped, PUBLIC, NOW) == verify_code(code, PUBLIC, NOW)


def test_lookalike_letters_read_as_digits() -> None:
    code = issue()
    body = body_of(code)
    assert "0" in body or "1" in body, "this code happens to have neither digit"
    lookalikes = body.replace("0", "O").replace("1", "l")

    assert verify_code("LD1-" + lookalikes, PUBLIC, NOW) == verify_code(code, PUBLIC, NOW)


# --- each failure has its own error -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "does not start with 'LD1-'"),
        ("hello world", "does not start with 'LD1-'"),
        ("XY1-ABCDE", "does not start with 'LD1-'"),
        ("LD1-", "wrong length"),
        ("LD1-ABCDE-FGHJK", "wrong length"),
        ("LD1-ABCDE-UUUUU", "characters a code never has (U)"),
        ("LD1-ABC*E", "characters a code never has (*)"),
    ],
)
def test_text_that_is_not_a_code_is_malformed(text: str, says: str) -> None:
    with pytest.raises(MalformedCode) as caught:
        verify_code(text, PUBLIC, NOW)

    assert says in str(caught.value)
    assert str(caught.value).startswith("This is not a valid LeadDesk top-up code")


def test_a_truncated_code_is_malformed() -> None:
    code = issue()

    with pytest.raises(MalformedCode, match=r"copied completely|mistyped"):
        verify_code(code[:-6], PUBLIC, NOW)


def test_a_mistyped_character_fails_the_checksum_not_the_signature() -> None:
    code = issue()
    position = len("LD1-") + 10
    swapped = "2" if code[position] != "2" else "3"

    with pytest.raises(MalformedCode, match="mistyped"):
        verify_code(code[:position] + swapped + code[position + 1 :], PUBLIC, NOW)


def test_a_changed_grant_is_tampering() -> None:
    blob = bytearray(decode(issue(100)))
    blob[tc._HEADER.size + 3] = 0xFF  # the low byte of the credit amount: 100 -> 255

    with pytest.raises(TamperedCode, match="signature is not valid"):
        verify_code(reencode(bytes(blob)), PUBLIC, NOW)


def test_a_code_from_another_key_is_tampering() -> None:
    other = Ed25519PrivateKey.generate()
    code = issue_code(other, Plan.ENTERPRISE, EXPIRES, issued_at=ISSUED)

    with pytest.raises(TamperedCode):
        verify_code(code, PUBLIC, NOW)


def test_an_expired_code_says_when_it_expired() -> None:
    code = issue(expires_at=datetime(2025, 4, 1, 12, 0, tzinfo=UTC))

    with pytest.raises(ExpiredCode) as caught:
        verify_code(code, PUBLIC, datetime(2025, 4, 1, 12, 0, tzinfo=UTC))

    assert "expired on 2025-04-01 12:00 UTC" in str(caught.value)
    assert caught.value.expires_at == datetime(2025, 4, 1, 12, 0, tzinfo=UTC)
    assert verify_code(code, PUBLIC, datetime(2025, 4, 1, 11, 59, 59, tzinfo=UTC))


def test_expiry_is_checked_against_the_current_time_by_default() -> None:
    code = issue(issued_at=ISSUED, expires_at=ISSUED + timedelta(seconds=1))

    with pytest.raises(ExpiredCode):
        verify_code(code, PUBLIC)


def test_a_newer_format_asks_for_an_update() -> None:
    code = "LD2-" + issue().removeprefix("LD1-")

    with pytest.raises(UnsupportedCodeVersion, match="format 2") as caught:
        verify_code(code, PUBLIC, NOW)

    assert caught.value.version == 2
    assert "Update LeadDesk" in str(caught.value)


def test_a_version_byte_that_contradicts_the_prefix_is_malformed() -> None:
    blob = bytearray(decode(issue()))
    blob[0] = 2

    with pytest.raises(MalformedCode, match="does not match its prefix"):
        verify_code(reencode(bytes(blob)), PUBLIC, NOW)


def test_a_signed_record_with_unknown_flags_is_malformed() -> None:
    record = tc._HEADER.pack(1, 0b1000_0001, uuid.uuid4().bytes, 1, 2**31)
    blob = record + PRIVATE.sign(tc.DOMAIN + record)

    with pytest.raises(MalformedCode, match="flags"):
        verify_code(reencode(blob), PUBLIC, NOW)


def test_a_signed_record_cut_short_is_malformed() -> None:
    record = tc._HEADER.pack(1, 0b101, uuid.uuid4().bytes, 1, 2**31) + b"\x09abc"
    blob = record + PRIVATE.sign(tc.DOMAIN + record)

    with pytest.raises(MalformedCode, match="wrong length"):
        verify_code(reencode(blob), PUBLIC, NOW)


def test_a_signed_record_too_short_to_read_is_malformed() -> None:
    record = tc._HEADER.pack(1, 0b000, uuid.uuid4().bytes, 1, 2**31) + b"\x01"  # credits: 1 of 4
    blob = record + PRIVATE.sign(tc.DOMAIN + record)

    with pytest.raises(MalformedCode, match="cannot be read"):
        verify_code(reencode(blob), PUBLIC, NOW)


def test_a_code_for_another_account_is_refused() -> None:
    code = issue(account="org-A")

    with pytest.raises(CodeNotForThisAccount, match="org-A"):
        verify_code(code, PUBLIC, NOW, account="org-B")
    assert verify_code(code, PUBLIC, NOW).account == "org-A"  # no account given: caller decides


def test_a_code_without_an_account_works_for_any_account() -> None:
    assert verify_code(issue(), PUBLIC, NOW, account="org-B").account is None


def test_already_redeemed_has_a_message_of_its_own() -> None:
    code_id = uuid.uuid4()
    error = CodeAlreadyRedeemed(code_id, datetime(2025, 3, 2, 8, 0, tzinfo=UTC))

    assert isinstance(error, TopupCodeError)
    assert error.code_id == code_id
    assert "already redeemed on 2025-03-02 08:00 UTC" in str(error)
    assert "already redeemed;" in str(CodeAlreadyRedeemed(code_id))


def test_the_error_classes_are_distinct() -> None:
    classes = {
        MalformedCode,
        TamperedCode,
        ExpiredCode,
        UnsupportedCodeVersion,
        CodeAlreadyRedeemed,
        CodeNotForThisAccount,
    }
    assert len(classes) == 6
    assert all(issubclass(cls, TopupCodeError) for cls in classes)
    assert not any(issubclass(a, b) for a in classes for b in classes if a is not b)


# --- issuing rejects nonsense -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"grant": 0}, "between 1 and"),
        ({"grant": 2**32}, "between 1 and"),
        ({"grant": "gold"}, "unknown plan 'gold'"),
        ({"expires_at": ISSUED}, "after issued_at"),
        ({"expires_at": datetime(2026, 1, 1)}, "timezone-aware"),
        ({"issued_at": datetime(2025, 1, 1)}, "timezone-aware"),
        ({"account": ""}, "account must be"),
        ({"account": "x" * 256}, "account must be"),
    ],
)
def test_issue_rejects_bad_input(kwargs: dict[str, object], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        issue(**kwargs)  # type: ignore[arg-type]


def test_issue_rejects_a_bool_grant() -> None:
    with pytest.raises(TypeError):
        issue(True)


def test_verify_rejects_a_naive_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_code(issue(), PUBLIC, datetime(2025, 3, 2))


# --- keys ---------------------------------------------------------------------------------------


def test_key_files_load(tmp_path: Path) -> None:
    private_pem, public_pem = tc.generate_keypair(password=b"seller secret")
    (tmp_path / "private.pem").write_bytes(private_pem)
    (tmp_path / "public.pem").write_bytes(public_pem)
    assert b"ENCRYPTED PRIVATE KEY" in private_pem

    private = tc.load_private_key(tmp_path / "private.pem", password=b"seller secret")
    public = tc.load_public_key(tmp_path / "public.pem")

    assert (
        verify_code(issue_code(private, 10, EXPIRES, issued_at=ISSUED), public, NOW).credits == 10
    )
    with pytest.raises(TypeError):
        tc.load_private_key(tmp_path / "private.pem")  # encrypted, no password


def test_keys_of_another_type_are_rejected() -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    private_pem = other.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = other.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    with pytest.raises(ValueError, match="Ed25519 public key"):
        tc.public_key_from_pem(public_pem)
    with pytest.raises(ValueError, match="Ed25519 private key"):
        tc.private_key_from_pem(private_pem)


def test_the_shipped_public_key_is_an_ed25519_public_key_only() -> None:
    path = tc.shipped_public_key_path()

    assert isinstance(tc.load_shipped_public_key(), Ed25519PublicKey)
    for pem in path.parent.glob("*"):
        assert b"PRIVATE KEY" not in pem.read_bytes(), f"{pem.name} holds a private key"


# --- properties ---------------------------------------------------------------------------------

grants = st.one_of(st.sampled_from(list(Plan)), st.integers(1, 2**32 - 1))
accounts = st.none() | st.text(min_size=1, max_size=60).filter(
    lambda text: len(text.encode()) <= 255
)
moments = st.integers(0, 2**31).map(lambda seconds: datetime.fromtimestamp(seconds, UTC))


@settings(max_examples=60, deadline=None)
@given(grant=grants, account=accounts, issued_at=moments, lifetime=st.integers(1, 2**30))
def test_whatever_is_issued_verifies_as_issued(
    grant: Plan | int, account: str | None, issued_at: datetime, lifetime: int
) -> None:
    expires_at = issued_at + timedelta(seconds=lifetime)
    code = issue_code(PRIVATE, grant, expires_at, issued_at=issued_at, account=account)

    topup = verify_code(code, PUBLIC, issued_at, account=account)

    assert (topup.plan, topup.credits) == (
        (grant, None) if isinstance(grant, Plan) else (None, grant)
    )
    assert (topup.issued_at, topup.expires_at, topup.account) == (issued_at, expires_at, account)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=250))
def test_arbitrary_text_only_ever_raises_a_code_error(text: str) -> None:
    for candidate in (text, "LD1-" + text):
        with pytest.raises(TopupCodeError):
            verify_code(candidate, PUBLIC, NOW)


_CODE = issue(Plan.PROFESSIONAL, account="org-1")
_BODY = body_of(_CODE)


@settings(max_examples=150, deadline=None)
@given(
    # Every character but the last, whose low bits may be base32 padding that decoding ignores.
    position=st.integers(0, len(_BODY) - 2),
    replacement=st.sampled_from("0123456789ABCDEFGHJKMNPQRSTVWXYZ"),
)
def test_no_single_character_change_verifies(position: int, replacement: str) -> None:
    if _BODY[position] == replacement:
        return
    changed = _BODY[:position] + replacement + _BODY[position + 1 :]

    with pytest.raises((MalformedCode, TamperedCode)):
        verify_code("LD1-" + changed, PUBLIC, NOW)


def test_raw_base32_of_a_code_is_not_accepted_without_the_prefix() -> None:
    raw = base64.b32encode(decode(_CODE)).decode()

    with pytest.raises(MalformedCode, match="LD1-"):
        verify_code(raw, PUBLIC, NOW)
