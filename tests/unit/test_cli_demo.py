"""``leaddesk demo`` twice and ``leaddesk demo --remove``, through the command line's main."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaddesk.cli import main


def test_demo_twice_then_remove(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["--db", db, "demo", "--leads", "30"]) == 0
    assert "3 campaigns, 4 templates" in capsys.readouterr().out
    assert main(["--db", db, "demo", "--leads", "30", "--seed", "9"]) == 0
    assert "created 30 leads, 0 campaigns, 0 templates" in capsys.readouterr().out

    assert main(["--db", db, "demo", "--remove"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("removed 60 demo leads, 3 campaigns, 4 templates")
    assert out.rstrip().endswith("the database is no longer a demo")
    assert main(["--db", db, "credits", "buy", "starter"]) == 1
    assert "demo databases only" in capsys.readouterr().err
    assert main(["--db", db, "export", "--format", "csv", str(tmp_path / "all.csv")]) == 0
    capsys.readouterr()
    assert (tmp_path / "all.csv").read_text("utf-8").count("\n") <= 1  # a header at most
