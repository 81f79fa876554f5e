"""The audit log viewer: filters, scope, and the admin-only export (no secrets, formula-safe)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from leaddesk.cli import main
from leaddesk.services.app_services import AppServices
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import PermissionDeniedError
from leaddesk.services.team import auth, passwords
from leaddesk.services.team.audit import AuditFilter, AuditLogService
from leaddesk.services.team.users import UserService
from leaddesk.store import migrate
from leaddesk.store.database import Store


@pytest.fixture(autouse=True)
def _cheap_hashes() -> Iterator[None]:
    with passwords.hashing_parameters():
        yield


def test_viewer_filters_scope_and_admin_export(db_url: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(db_url)
    try:
        migrate.upgrade(store.engine)
        admin = auth.create_first_admin(store, "boss", "Boss", "boss-secret-1")
        users = UserService(ServiceContext(store, admin))
        users.add("ray", "Ray", "rep", "ray-secret-12")
        users.add("kim", "Kim", "rep", "kim-secret-12")
        login = auth.LoginService(store)
        ray = AppServices(ServiceContext(store, login.login("ray", "ray-secret-12")))
        kim = AppServices(ServiceContext(store, login.login("kim", "kim-secret-12")))
        ray.leads.create({"first_name": "=HYPERLINK(\"http://x\")", "email": "a@b.example"})
        kim.leads.create({"first_name": "Kim's lead", "email": "k@b.example"})
        with pytest.raises(PermissionDeniedError):
            ray.leads.create({"first_name": "planted", "owner_id": str(admin.id)})

        ray_log = AuditLogService(ray.ctx)
        assert {e.actor_id for e in ray_log.search()} == {ray.ctx.actor.id}
        assert [e.action for e in ray_log.search(AuditFilter(actions=("refused",)))] == [
            "refused"]
        boss_log = AuditLogService(ServiceContext(store, admin))
        assert len(boss_log.search(AuditFilter(entity_types=("lead",)))) == 2
        with pytest.raises(PermissionDeniedError):
            ray_log.export_csv(tmp_path / "no.csv")

        out = tmp_path / "audit.csv"
        count = boss_log.export_csv(out)
    finally:
        store.dispose()
    text = out.read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == count and {r["actor"] for r in rows} >= {"boss", "ray", "kim"}
    assert not any(r["summary"].startswith("=") for r in rows)
    for secret in ("boss-secret-1", "ray-secret-12", "kim-secret-12"):
        assert secret not in text

    monkeypatch.setattr("sys.stdin", io.StringIO("boss-secret-1\n"))
    assert main(["--db", db_url, "audit", "--as", "boss", "--password-stdin", "export",
                 "--action", "refused", "--out", str(tmp_path / "refused.csv")]) == 0
    refused = list(csv.DictReader(io.StringIO((tmp_path / "refused.csv").read_text("utf-8-sig"))))
    assert [r["actor"] for r in refused] == ["ray"]
    monkeypatch.setattr("sys.stdin", io.StringIO("ray-secret-12\n"))
    assert main(["--db", db_url, "audit", "--as", "ray", "--password-stdin", "export",
                 "--out", str(tmp_path / "x.csv")]) == 1
