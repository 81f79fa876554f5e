"""``leaddesk import`` and ``leaddesk export`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leaddesk.cli import main
from leaddesk.services.importing.importer import LeadImporter


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "in.csv"
    path.write_text(
        "Who,Reach,Phone\nAda Lovelace,ada@example.org,020 7946 0018\n"
        "Bad Email,nope@,\nGrace Hopper,grace@example.org,\n",
        encoding="utf-8",
    )
    return path


def test_import_dry_run_then_import_then_export(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _csv(tmp_path)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"Who": "full_name", "Reach": "email", "Phone": "phone"}))
    args = ["--db", db_url, "import", str(source), "--mapping", str(mapping), "--region", "GB"]
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "dry run, nothing written" in out
    assert "created 2" in out and "rejected 1" in out
    assert "line 3 email:" in out
    assert main(args) == 0
    assert "created 2" in capsys.readouterr().out
    assert main([*args, "--on-duplicate", "skip"]) == 0
    assert "skipped 2" in capsys.readouterr().out
    target = tmp_path / "out.vcf"
    assert main(["--db", db_url, "export", str(target)]) == 0
    assert "exported 2 leads" in capsys.readouterr().out
    assert target.read_text(encoding="utf-8").count("BEGIN:VCARD") == 2


def test_unreadable_file_is_one_line_error(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert main(["--db", db_url, "import", str(empty)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("leaddesk: error:") and "empty" in err and "\n" not in err


def test_export_of_unknown_view_fails_cleanly(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", db_url, "export", str(tmp_path / "x.csv"), "--view", "Nope"]) == 1
    assert "saved view 'Nope' not found" in capsys.readouterr().err


def test_import_passes_workers_and_reports_indexing(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    seen: dict[str, object] = {}
    real = LeadImporter.import_file

    def spy(self, *args, **kwargs):
        seen.update(kwargs)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(LeadImporter, "import_file", spy)
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    args = ["--db", db_url, "import", str(_csv(tmp_path)), "--region", "GB", "--workers", "0"]
    assert main(args) == 0
    assert seen["workers"] == 0
    assert "3 rows read; indexing" in capsys.readouterr().err
