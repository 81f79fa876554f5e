"""Signed offline top-up codes: how credits are bought on a machine that never talks to us.

The seller signs a small binary record with an Ed25519 private key; the app checks the signature
against the public key it ships (``resources/keys/topup_public.pem``). A code is text a person can
copy, paste, e-mail or read out::

    LD1-0R8N4-...-7Q2

``LD1`` names the format version. The body is Crockford base32, so case does not matter, the
letters O, I and L read as 0, 1 and 1, and whitespace and dashes are ignored. A two-byte checksum
tells a mistyped code (:class:`MalformedCode`) from a forged one (:class:`TamperedCode`).

Signed record, version 1 (big-endian)::

    version u8 | flags u8 | code id 16 | issued u32 | expires u32 | [credits u32] | [len u8 account]
    flags: bits 0-1 grant (0 credits, 1 starter, 2 professional, 3 enterprise), bit 2 account

followed by the 64-byte signature over ``DOMAIN + record`` and the checksum. Whether a code was
already redeemed is the ledger's business (it keeps the redeemed ids); :class:`CodeAlreadyRedeemed`
lives here so that every message about codes is in one place.
"""

from __future__ import annotations

import base64
import binascii
import enum
import re
import struct
import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from leaddesk.config import resources_dir

# ``cryptography.hazmat.primitives.serialization`` (PEM keys) is imported where keys are read or
# written: the ledger imports this module on every start, and redeeming a code is rare.

FORMAT_VERSION = 1
PREFIX = "LD"
DOMAIN = b"LeadDesk top-up code v1\x00"  # signatures made for this purpose only
GROUP = 5  # characters per dash-separated group when printing

_HEADER = struct.Struct(">BB16sII")
_U32 = struct.Struct(">I")
_SIGNATURE_LEN = 64
_CHECKSUM_LEN = 2
_MAX_ACCOUNT_BYTES = 255
_MAX_U32 = 2**32 - 1
_FLAG_ACCOUNT = 0b100
_GRANT_MASK = 0b011
_MIN_LEN = _HEADER.size + _SIGNATURE_LEN + _CHECKSUM_LEN
_MAX_LEN = _MIN_LEN + _U32.size + 1 + _MAX_ACCOUNT_BYTES

_RFC4648 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TO_CROCKFORD = str.maketrans(_RFC4648, _CROCKFORD)
_FROM_CROCKFORD = str.maketrans(_CROCKFORD, _RFC4648)
_LOOKALIKES = str.maketrans("OIL", "011")
_CODE_RE = re.compile(r"^LD(\d{1,3})-(.*)$", re.DOTALL)


class Plan(enum.StrEnum):
    """Packages a code can grant; what each is worth is the ledger's pricing data, not ours."""

    STARTER = "starter"
    PROFESSIONAL = "professional"
    ENTERPRISE = "enterprise"


_PLAN_BITS = {Plan.STARTER: 1, Plan.PROFESSIONAL: 2, Plan.ENTERPRISE: 3}
_BITS_PLAN = {bits: plan for plan, bits in _PLAN_BITS.items()}


@dataclass(frozen=True, slots=True)
class TopupCode:
    """A verified code. Exactly one of ``plan`` and ``credits`` is set."""

    code_id: uuid.UUID
    plan: Plan | None
    credits: int | None
    issued_at: datetime
    expires_at: datetime
    account: str | None = None
    version: int = FORMAT_VERSION


# --- errors -------------------------------------------------------------------------------------


class TopupCodeError(ValueError):
    """Base of every reason a code is refused; ``str(error)`` is meant for the user."""


class MalformedCode(TopupCodeError):
    """Not a LeadDesk code, or damaged on the way (bad characters, length, checksum)."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"This is not a valid LeadDesk top-up code: {detail}.")
        self.detail = detail


class UnsupportedCodeVersion(TopupCodeError):
    def __init__(self, version: int) -> None:
        super().__init__(
            f"This top-up code uses format {version}, which this version of LeadDesk does not "
            f"know (it reads format {FORMAT_VERSION}). Update LeadDesk and try again."
        )
        self.version = version


class TamperedCode(TopupCodeError):
    """Well-formed, but not signed by our key: altered, forged, or from another seller key."""

    def __init__(self) -> None:
        super().__init__(
            "This top-up code's signature is not valid: it was altered or was not issued by "
            "LeadDesk. Ask your seller for a new code."
        )


class ExpiredCode(TopupCodeError):
    def __init__(self, expires_at: datetime) -> None:
        when = expires_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        super().__init__(f"This top-up code expired on {when}. Ask your seller for a new code.")
        self.expires_at = expires_at


class CodeNotForThisAccount(TopupCodeError):
    def __init__(self, intended: str) -> None:
        super().__init__(f"This top-up code was issued for another account ({intended!r}).")
        self.intended = intended


class CodeAlreadyRedeemed(TopupCodeError):
    """Raised by the ledger when a code id is already in its redeemed set."""

    def __init__(self, code_id: uuid.UUID, redeemed_at: datetime | None = None) -> None:
        when = (
            f" on {redeemed_at.astimezone(UTC).strftime('%Y-%m-%d %H:%M UTC')}"
            if redeemed_at is not None
            else ""
        )
        super().__init__(f"This top-up code was already redeemed{when}; each code works once.")
        self.code_id = code_id
        self.redeemed_at = redeemed_at


# --- keys ---------------------------------------------------------------------------------------


def generate_keypair(password: bytes | None = None) -> tuple[bytes, bytes]:
    """A new seller key pair as ``(private_pem, public_pem)``, private encrypted if asked."""
    from cryptography.hazmat.primitives import serialization

    key = Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem


def public_key_from_pem(pem: bytes) -> Ed25519PublicKey:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"expected an Ed25519 public key, got {type(key).__name__}")
    return key


def private_key_from_pem(pem: bytes, password: bytes | None = None) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(pem, password)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"expected an Ed25519 private key, got {type(key).__name__}")
    return key


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    return public_key_from_pem(Path(path).read_bytes())


def load_private_key(path: str | Path, password: bytes | None = None) -> Ed25519PrivateKey:
    return private_key_from_pem(Path(path).read_bytes(), password)


def shipped_public_key_path() -> Path:
    """The public key shipped with the app, in the resources folder (wheel or repo)."""
    return resources_dir() / "keys" / "topup_public.pem"


def load_shipped_public_key() -> Ed25519PublicKey:
    return load_public_key(shipped_public_key_path())


# --- issuing ------------------------------------------------------------------------------------


def issue_code(
    private_key: Ed25519PrivateKey,
    grant: Plan | str | int,
    expires_at: datetime,
    *,
    issued_at: datetime | None = None,
    account: str | None = None,
    code_id: uuid.UUID | None = None,
) -> str:
    """Sign a code granting a plan (``Plan`` or its name) or a number of credits (``int``).

    Times must be timezone-aware; they are kept to the second. ``account`` binds the code to one
    account or organisation id, which :func:`verify_code` checks when given one.
    """
    issued_at = _utcnow() if issued_at is None else issued_at
    issued_s, expires_s = _epoch("issued_at", issued_at), _epoch("expires_at", expires_at)
    if expires_s <= issued_s:
        raise ValueError("expires_at must be after issued_at")
    flags, tail = _encode_grant(grant)
    if account is not None:
        raw = account.encode("utf-8")
        if not raw or len(raw) > _MAX_ACCOUNT_BYTES:
            raise ValueError(f"account must be 1..{_MAX_ACCOUNT_BYTES} bytes of UTF-8")
        flags |= _FLAG_ACCOUNT
        tail += bytes([len(raw)]) + raw
    code_id = uuid.uuid4() if code_id is None else code_id
    record = _HEADER.pack(FORMAT_VERSION, flags, code_id.bytes, issued_s, expires_s) + tail
    signed = record + private_key.sign(DOMAIN + record)
    return _to_text(signed + _checksum(signed))


def _encode_grant(grant: Plan | str | int) -> tuple[int, bytes]:
    if isinstance(grant, bool):
        raise TypeError("grant must be a Plan, a plan name or a number of credits")
    if isinstance(grant, int):
        if not 0 < grant <= _MAX_U32:
            raise ValueError(f"credits must be between 1 and {_MAX_U32}")
        return 0, _U32.pack(grant)
    try:
        return _PLAN_BITS[Plan(grant)], b""
    except ValueError:
        names = ", ".join(plan.value for plan in Plan)
        raise ValueError(f"unknown plan {grant!r}; expected one of {names}") from None


def _epoch(name: str, moment: datetime) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    seconds = int(moment.timestamp())
    if not 0 <= seconds <= _MAX_U32:
        raise ValueError(f"{name} is out of range")
    return seconds


def _to_text(blob: bytes) -> str:
    body = base64.b32encode(blob).decode("ascii").rstrip("=").translate(_TO_CROCKFORD)
    groups = [body[i : i + GROUP] for i in range(0, len(body), GROUP)]
    return f"{PREFIX}{FORMAT_VERSION}-" + "-".join(groups)


# --- verifying ----------------------------------------------------------------------------------


def verify_code(
    code: str,
    public_key: Ed25519PublicKey,
    now: datetime | None = None,
    *,
    account: str | None = None,
) -> TopupCode:
    """Check a code and return what it grants, or raise the :class:`TopupCodeError` saying why.

    Checks run cheapest-first: format and version, checksum, signature, expiry, then the intended
    account (only when ``account`` is given). It does not know whether the code was redeemed.
    """
    blob = _from_text(code)
    if blob[0] != FORMAT_VERSION:
        raise MalformedCode("the format number inside does not match its prefix")
    record, signature = blob[:-_SIGNATURE_LEN], blob[-_SIGNATURE_LEN:]
    try:
        public_key.verify(signature, DOMAIN + record)
    except InvalidSignature:
        raise TamperedCode() from None
    parsed = _parse_record(record)
    now = _utcnow() if now is None else now
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if now >= parsed.expires_at:
        raise ExpiredCode(parsed.expires_at)
    if account is not None and parsed.account is not None and parsed.account != account:
        raise CodeNotForThisAccount(parsed.account)
    return parsed


def _from_text(code: str) -> bytes:
    """Text to ``record + signature`` with the version prefix and checksum checked."""
    if not isinstance(code, str):
        raise TypeError("code must be a str")
    compact = "".join(code.split()).upper()
    match = _CODE_RE.match(compact)
    if match is None:
        raise MalformedCode("it does not start with 'LD1-'")
    version = int(match.group(1))
    if version != FORMAT_VERSION:
        raise UnsupportedCodeVersion(version)
    body = match.group(2).replace("-", "").translate(_LOOKALIKES)
    bad = sorted(set(body) - set(_CROCKFORD))
    if bad:
        raise MalformedCode(f"it contains characters a code never has ({''.join(bad)})")
    try:
        blob = base64.b32decode(body.translate(_FROM_CROCKFORD) + "=" * (-len(body) % 8))
    except binascii.Error:
        raise MalformedCode("it has the wrong length; check it was copied completely") from None
    if not _MIN_LEN <= len(blob) <= _MAX_LEN:
        raise MalformedCode("it has the wrong length; check it was copied completely")
    signed, checksum = blob[:-_CHECKSUM_LEN], blob[-_CHECKSUM_LEN:]
    if _checksum(signed) != checksum:
        raise MalformedCode("its checksum does not match; a character was probably mistyped")
    return signed


def _parse_record(record: bytes) -> TopupCode:
    """Decode a record whose signature already checked out (so a failure here is a seller bug)."""
    try:
        return _unpack_record(record)
    except (struct.error, IndexError, UnicodeDecodeError):
        raise MalformedCode("its content cannot be read") from None


def _unpack_record(record: bytes) -> TopupCode:
    version, flags, raw_id, issued_s, expires_s = _HEADER.unpack_from(record)
    if flags & ~(_GRANT_MASK | _FLAG_ACCOUNT):
        raise MalformedCode("it has flags this version does not know")
    offset = _HEADER.size
    plan, credits = _BITS_PLAN.get(flags & _GRANT_MASK), None
    if plan is None:
        (credits,) = _U32.unpack_from(record, offset)
        offset += _U32.size
    account = None
    if flags & _FLAG_ACCOUNT:
        length = record[offset]
        account = record[offset + 1 : offset + 1 + length].decode("utf-8")
        offset += 1 + length
    if offset != len(record):
        raise MalformedCode("its content has the wrong length")
    return TopupCode(
        code_id=uuid.UUID(bytes=raw_id),
        plan=plan,
        credits=credits,
        issued_at=datetime.fromtimestamp(issued_s, UTC),
        expires_at=datetime.fromtimestamp(expires_s, UTC),
        account=account,
        version=version,
    )


def _checksum(data: bytes) -> bytes:
    return (zlib.crc32(data) & 0xFFFF).to_bytes(_CHECKSUM_LEN, "big")


def _utcnow() -> datetime:
    return datetime.now(UTC)
