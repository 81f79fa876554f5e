"""``leaddesk credits``: balance, history, redeem, allocate, cap, prices, buy and issue-code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from leaddesk.cli import main
from leaddesk.services.app_services import AppServices
from leaddesk.services.credits import topup_codes
from tests.support.credit_helpers import PRIVATE_PEM, PUBLIC_KEY, add_member, code


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    app = AppServices.open(url)
    add_member(app.store, "rita")
    app.close()
    return url


@pytest.fixture
def seller_key(tmp_path: Path) -> Path:
    path = tmp_path / "seller.pem"
    path.write_bytes(PRIVATE_PEM)
    return path


@pytest.fixture
def test_key_is_shipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app trusts the test seller key (its real key's private half is never in the repo)."""
    monkeypatch.setattr(topup_codes, "load_shipped_public_key", lambda: PUBLIC_KEY)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_issue_redeem_allocate_cap_and_read_back(
    db: str, seller_key: Path, capsys: pytest.CaptureFixture[str], test_key_is_shipped: None
) -> None:
    rc, out, _ = run(
        capsys,
        "credits",
        "issue-code",
        "--key",
        str(seller_key),
        "--amount",
        "900",
        "--expires",
        "2099-12-31",
    )
    assert rc == 0 and out.startswith("LD1-")
    issued = out.strip()
    assert topup_codes.verify_code(issued, PUBLIC_KEY).credits == 900

    assert run(capsys, "--db", db, "credits", "redeem", issued)[:2] == (
        0,
        "redeemed 900 credits: +900; available 900\n",
    )
    rc, _, err = run(capsys, "--db", db, "credits", "redeem", issued)
    assert rc == 1 and "already redeemed on" in err and len(err.splitlines()) == 1

    rc, out, _ = run(capsys, "--db", db, "credits", "allocate", "rita", "250")
    assert rc == 0 and "they have 250; you have 650" in out
    rc, out, _ = run(capsys, "--db", db, "credits", "cap", "rita", "40", "--per", "week")
    assert rc == 0 and "at most 40 per week" in out
    rc, out, _ = run(capsys, "--db", db, "credits", "balance", "--user", "rita")
    assert "available 250" in out and "spend cap 40 per week: 0 spent, 40 left" in out

    rc, out, _ = run(capsys, "--db", db, "credits", "history", "--csv")
    lines = out.strip().splitlines()
    assert lines[0] == "created_at,kind,amount,balance_after,action,reference"
    assert [line.split(",")[1:3] for line in lines[1:]] == [
        ["allocation", "-250"],
        ["purchase", "900"],
    ]
    rc, out, _ = run(capsys, "--db", db, "credits", "history", "--since", "2000-01-01")
    assert "allocation" in out and "purchase" in out


def test_plan_codes_and_expiry(
    db: str, seller_key: Path, capsys: pytest.CaptureFixture[str], test_key_is_shipped: None
) -> None:
    rc, out, _ = run(
        capsys, "credits", "issue-code", "--key", str(seller_key), "--plan", "enterprise"
    )
    assert run(capsys, "--db", db, "credits", "redeem", out.strip())[1].startswith(
        "redeemed Enterprise: +0; available unlimited"
    )
    rc, _, err = run(capsys, "--db", db, "credits", "redeem", code(100, days=-1))
    assert rc == 1 and "expired on" in err
    rc, _, err = run(
        capsys,
        "credits",
        "issue-code",
        "--key",
        str(seller_key),
        "--amount",
        "5",
        "--expires",
        "2001-01-01",
    )
    assert rc == 1 and "in the past" in err


def test_buy_is_for_demo_databases_only(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(capsys, "--db", db, "credits", "buy", "starter")
    assert rc == 1 and "demo databases only" in err and "credits redeem CODE" in err


def test_prices_are_shown_and_published(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "--db", db, "credits", "prices")
    assert rc == 0 and "price list version 1" in out and "voice" in out
    rc, out, _ = run(capsys, "--db", db, "credits", "prices", "--set", "voice=6", "sms=3")
    assert rc == 0 and "price list version 2" in out
    assert [
        line.split()[1] for line in out.splitlines() if line.split()[0] in ("voice", "sms")
    ] == ["3", "6"]


def test_members_errors_are_one_line(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(capsys, "--db", db, "credits", "allocate", "nobody", "5")
    assert rc == 1 and err == "leaddesk: error: user 'nobody' not found\n"
    rc, _, err = run(capsys, "--db", db, "credits", "allocate", "rita", "5")
    assert rc == 1 and "insufficient credits: need 5, have 0" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hello", "does not start with 'LD1-'"),
        ("LD1-ABCDE-FGHJK", "wrong length"),
        ("LD2-ABCDE", "uses format 2"),
        (code(100), "signature is not valid"),  # signed by a key the app does not trust
    ],
)
def test_refused_codes_with_the_shipped_key(
    db: str, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    rc, _, err = run(capsys, "--db", db, "credits", "redeem", text)
    assert rc == 1 and message in err and len(err.splitlines()) == 1


def test_a_refusal_through_the_installed_command(db: str) -> None:
    """A fresh process, as a user runs it: one line on stderr, exit 1."""
    proc = subprocess.run(
        [sys.executable, "-m", "leaddesk", "--db", db, "credits", "redeem", code(100)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("leaddesk: error: This top-up code's signature is not valid")
    assert len(proc.stderr.splitlines()) == 1


def test_issue_code_needs_a_readable_private_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, _, err = run(
        capsys, "credits", "issue-code", "--key", str(tmp_path / "none.pem"), "--plan", "starter"
    )
    assert rc == 1 and "cannot read the private key" in err
    (tmp_path / "bad.pem").write_text("not a key")
    rc, _, err = run(
        capsys, "credits", "issue-code", "--key", str(tmp_path / "bad.pem"), "--plan", "starter"
    )
    assert rc == 1 and "not a usable Ed25519 private key" in err
    with pytest.raises(SystemExit) as exit_:
        main(["credits", "issue-code", "--key", "k.pem"])
    assert exit_.value.code == 2
