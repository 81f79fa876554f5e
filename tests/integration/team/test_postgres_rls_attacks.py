"""Rep A opens psql-like connections with their own credentials, outside the app.

Row-level security alone must hold: none of B's rows come back, none change, and neither
``SET ROLE``, session variables, a search path nor a temporary table gets around it.
"""

from __future__ import annotations

import psycopg
import pytest

from leaddesk.store import scoping
from tests.integration.team.team_support import Team

SCOPED_READS = {
    "leads": "first_name",
    "lead_tags": "tag",
    "messages": "body",
    "campaigns": "name",
    "message_templates": "name",
    "credit_accounts": "balance",
    "credit_transactions": "amount",
    "activities": "summary",
}


def _seed(team: Team) -> dict[str, object]:
    admin, b = team["admin"], team["rep_b"]
    campaign = b.campaigns.create({"name": "Bravo campaign"})
    lead = b.leads.create({"first_name": "Bob", "email": "bob@b.example", "tags": ["vip"],
                           "campaign_id": str(campaign.id)})
    b.templates.create({"channel": "email", "name": "Bravo intro", "body": "Hello"})
    b.messages.save_draft(lead.id, "email", "Hi", "Private words")
    admin.credits.purchase("professional")
    admin.credits.allocate(team.users["rep_b"].id, 40)
    b.credits.reserve(3, "email")
    team["rep_a"].leads.create({"first_name": "Ada", "email": "ada@a.example"})
    return {"lead": lead.id, "campaign": campaign.id}


def _b_counts(team: Team) -> dict[str, int]:
    """What B owns, counted by the superuser (RLS does not apply to it)."""
    b = str(team.users["rep_b"].id)
    with psycopg.connect(team.pg_conninfo["superuser"]) as conn:
        return {
            "leads": conn.execute("SELECT count(*) FROM leads WHERE owner_id = %s AND "
                                  "notes = '' AND deleted_at IS NULL", [b]).fetchone()[0],
            "messages": conn.execute("SELECT count(*) FROM messages WHERE owner_id = %s AND "
                                     "body = 'Private words'", [b]).fetchone()[0],
            "balance": conn.execute("SELECT balance FROM credit_accounts WHERE user_id = %s",
                                    [b]).fetchone()[0],
            "users": conn.execute("SELECT count(*) FROM users WHERE role = 'admin'").fetchone()[0],
        }


def test_rep_a_reads_only_own_rows_with_raw_sql(pg_team: Team) -> None:
    _seed(pg_team)
    a = str(pg_team.users["rep_a"].id)
    with psycopg.connect(pg_team.pg_conninfo["rep_a"]) as conn:
        owners = conn.execute("SELECT DISTINCT owner_id::text FROM leads").fetchall()
        assert owners == [(a,)]
        for table in SCOPED_READS:
            rows = conn.execute(f"SELECT * FROM {table}").fetchall()
            text = repr(rows)
            assert "Bob" not in text and "Private words" not in text and "vip" not in text, table
        assert conn.execute("SELECT count(*) FROM messages").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM credit_transactions").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM lead_tags").fetchone() == (0,)


def test_rep_a_changes_nothing_of_b_with_raw_sql(pg_team: Team) -> None:
    seeded = _seed(pg_team)
    before = _b_counts(pg_team)
    b = str(pg_team.users["rep_b"].id)
    a = str(pg_team.users["rep_a"].id)
    with psycopg.connect(pg_team.pg_conninfo["rep_a"], autocommit=True) as conn:
        assert conn.execute("UPDATE leads SET notes = 'pwned' WHERE owner_id = %s",
                            [b]).rowcount == 0
        assert conn.execute("UPDATE leads SET owner_id = %s WHERE id = %s",
                            [a, seeded["lead"]]).rowcount == 0
        assert conn.execute("DELETE FROM messages WHERE owner_id = %s", [b]).rowcount == 0
        for statement, params in [
            ("UPDATE credit_accounts SET balance = 0 WHERE user_id = %s", [b]),
            ("INSERT INTO leads (id, owner_id, first_name, last_name, email, phone, linkedin_url,"
             " title, company, industry, company_size, website, city, country, timezone, status,"
             " score, score_reasons, source, notes, consent, do_not_contact, enrichment, version,"
             " created_at, updated_at) VALUES (gen_random_uuid(), %s, 'x', '', '', '', '', '', '',"
             " '', '', '', '', '', '', 'new', 0, '[]', '', '', '', false, '{}', 1, now(), now())",
             [b]),
            ("UPDATE leads SET owner_id = %s WHERE owner_id = %s", [b, a]),
            ("UPDATE users SET role = 'admin' WHERE id = %s", [a]),
            ("INSERT INTO activities (id, actor_id, action, entity_type, entity_id, summary,"
             " changes, created_at) VALUES (gen_random_uuid(), %s, 'x', 'x', '', 'forged', '{}',"
             " now())", [b]),
            ("DELETE FROM activities", []),
            ("ALTER TABLE leads DISABLE ROW LEVEL SECURITY", []),
            ("DROP POLICY leaddesk_scope ON leads", []),
            ("CREATE ROLE sneaky LOGIN", []),
        ]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement, params)
    assert _b_counts(pg_team) == before


def test_set_role_and_session_variables_do_not_help(pg_team: Team) -> None:
    _seed(pg_team)
    b_role = "ld_" + pg_team.names["rep_b"]
    with psycopg.connect(pg_team.pg_conninfo["rep_a"], autocommit=True) as conn:
        for role in (b_role, "leaddesk_owner", "leaddesk_admin", "postgres"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f'SET ROLE "{role}"')
        conn.execute("SET ROLE leaddesk_user")  # a group role maps to no user: sees nothing
        assert conn.execute("SELECT count(*) FROM leads").fetchone() == (0,)
    for setting in ("SET leaddesk.user_id = '00000000-0000-0000-0000-000000000000'",
                    "SET row_security = off", "SET search_path = pg_temp, public",
                    f'SET SESSION AUTHORIZATION "{b_role}"'):
        with psycopg.connect(pg_team.pg_conninfo["rep_a"], autocommit=True) as conn:
            try:
                conn.execute(setting)
                names = {r[0] for r in conn.execute("SELECT first_name FROM leads")}
            except psycopg.errors.InsufficientPrivilege:
                continue  # refused outright (row_security = off errors rather than filter)
            assert names <= {"Ada"}, setting
    with (
        psycopg.connect(pg_team.pg_conninfo["rep_a"], autocommit=True) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("CREATE TEMPORARY TABLE users (id uuid, username text, role text)")


def test_the_database_is_set_up_as_promised(pg_team: Team) -> None:
    with psycopg.connect(pg_team.pg_conninfo["superuser"]) as conn:
        roles = dict(conn.execute(
            "SELECT rolname, rolsuper OR rolbypassrls FROM pg_roles WHERE rolname LIKE 'ld\\_%'"
        ).fetchall())
        tables = conn.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity, "
            "pg_get_userbyid(relowner) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND relkind = 'r'"
        ).fetchall()
    assert roles and not any(roles.values())
    for name, rls, forced, owner in tables:
        assert owner == "leaddesk_owner", name
        if name != "alembic_version":
            assert rls and forced, name
    assert {t[0] for t in tables} >= set(scoping.TABLE_RULES) & {t[0] for t in tables}
