"""Who may write what on a PostgreSQL team database: the privilege model, as data.

The threat model: every user signs in as their own database role, so a rep or a manager may run
any SQL their role allows with ``psql`` and their own password. What they can do must equal what
the app lets them do; an admin is trusted with the team's data. So:

- scoped tables (``scoping.TABLE_RULES``): reads and writes within the user's scope, enforced by
  row-level security (``postgres_security``);
- the credit ledger: read within scope; reps and managers write it only through the ledger's
  ``SECURITY DEFINER`` functions (``leaddesk.services.credits.postgres_ledger``), which apply the
  ledger service's rules; admins also write it directly (purchases, allocations, adjustments,
  refunds, redemptions, caps), never updating or deleting a ledger line;
- team-wide tables by privilege: the price list and the settings are written by admins (but for
  the settings listed in ``USER_WRITABLE_SETTINGS``); anyone adds to the do-not-contact list (an
  unsubscribe is never blocked), only admins remove; send counters move only forward, through
  ``leaddesk_count_sends``; the schema version only through migrations (the owner).

``team_check`` reads the catalog and reports every privilege wider than this model.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection

OWNER_ROLE = "leaddesk_owner"
USER_ROLE = "leaddesk_user"
ADMIN_ROLE = "leaddesk_admin"

SELECT, INSERT, UPDATE, DELETE = "SELECT", "INSERT", "UPDATE", "DELETE"
ALL_DML = frozenset({SELECT, INSERT, UPDATE, DELETE})
READ = frozenset({SELECT})

#: The credit ledger: written by reps and managers only through the ledger's functions.
LEDGER_TABLES = frozenset(
    {"credit_accounts", "credit_transactions", "credit_holds", "redeemed_topup_codes"}
)
#: Settings any signed-in user may write on a team database (remembered import mappings: a
#: convenience the app lets every user save). Every other setting is an admin's.
USER_WRITABLE_SETTINGS = frozenset({"import_mappings"})


@dataclass(frozen=True, slots=True)
class TableGrants:
    """Table privileges of the member role and what the admin role adds to them."""

    user: frozenset[str]
    admin: frozenset[str] = frozenset()
    #: Only these columns may the member role UPDATE (``users``: a user's own row).
    user_update_columns: frozenset[str] = frozenset()

    @property
    def user_table_wide(self) -> frozenset[str]:
        """The member role's privileges on the whole table (UPDATE goes by column when
        ``user_update_columns`` names them)."""
        return self.user - ({UPDATE} if self.user_update_columns else set())


#: Tables whose grants are not "read and write within scope" (every other app table is scoped).
SPECIAL_TABLES: dict[str, TableGrants] = {
    "credit_accounts": TableGrants(READ, frozenset({INSERT, UPDATE})),
    "credit_transactions": TableGrants(READ, frozenset({INSERT})),
    "credit_holds": TableGrants(READ),
    "redeemed_topup_codes": TableGrants(READ, frozenset({INSERT})),
    "price_list_versions": TableGrants(READ, frozenset({INSERT})),
    "app_settings": TableGrants(frozenset({SELECT, INSERT, UPDATE}), frozenset({DELETE})),
    "suppressions": TableGrants(frozenset({SELECT, INSERT}), frozenset({UPDATE, DELETE})),
    "send_counters": TableGrants(READ),
    "alembic_version": TableGrants(READ),
    "activities": TableGrants(frozenset({SELECT, INSERT})),
    "users": TableGrants(
        READ,
        frozenset({INSERT, UPDATE, DELETE}),
        user_update_columns=frozenset(
            {"name", "email", "password_hash", "failed_logins", "last_failed_login_at",
             "last_login_at", "updated_at"}
        ),
    ),
}
SCOPED_GRANTS = TableGrants(ALL_DML)

#: Functions the member role may execute (all owned by the owner role), by argument types. The
#: ledger's are defined beside the ledger service (``services/credits/postgres_ledger.py``),
#: the counters' beside the outbox's counting; every other function is the owner's alone.
MEMBER_FUNCTIONS = frozenset(
    {
        "leaddesk_uid()",
        "leaddesk_is_admin()",
        "leaddesk_scope()",
        "leaddesk_credit_account()",
        "leaddesk_reserve(integer, text, text, text, text, integer, text)",
        "leaddesk_reserve_many(jsonb, integer, text)",
        "leaddesk_settle(uuid, text, text)",
        "leaddesk_settle_many(jsonb)",
        "leaddesk_count_sends(jsonb, integer)",
    }
)


def grants_for(table: str) -> TableGrants:
    return SPECIAL_TABLES.get(table, SCOPED_GRANTS)


def grant_statements(table: str) -> Iterable[str]:
    """GRANTs of ``table`` to the member and admin roles (after a REVOKE ALL)."""
    grants = grants_for(table)
    plain = sorted(grants.user_table_wide)
    if plain:
        yield f"GRANT {', '.join(plain)} ON public.{table} TO {USER_ROLE}"
    if grants.user_update_columns:
        columns = ", ".join(sorted(grants.user_update_columns))
        yield f"GRANT UPDATE ({columns}) ON public.{table} TO {USER_ROLE}"
    if grants.admin:
        yield f"GRANT {', '.join(sorted(grants.admin))} ON public.{table} TO {ADMIN_ROLE}"


# --- checking a database against the model ------------------------------------------------------

_TABLE_ACL = """
SELECT c.relname, r.rolname, a.privilege_type
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
LEFT JOIN pg_roles r ON r.oid = a.grantee
WHERE c.relkind IN ('r', 'p') AND a.grantee <> c.relowner
"""
_COLUMN_ACL = """
SELECT c.relname, r.rolname, a.privilege_type, att.attname
FROM pg_attribute att
JOIN pg_class c ON c.oid = att.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
CROSS JOIN LATERAL aclexplode(att.attacl) a
LEFT JOIN pg_roles r ON r.oid = a.grantee
WHERE att.attacl IS NOT NULL AND NOT att.attisdropped
"""
_TABLE_STATE = """
SELECT c.relname, pg_get_userbyid(c.relowner), c.relrowsecurity, c.relforcerowsecurity
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
WHERE c.relkind IN ('r', 'p')
"""
_FUNCTION_ACL = """
SELECT p.proname || '(' || oidvectortypes(p.proargtypes) || ')',
       pg_get_userbyid(p.proowner), p.prosecdef, r.rolname, a.privilege_type,
       coalesce(array_to_string(p.proconfig, ','), '')
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = 'public'
CROSS JOIN LATERAL aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
LEFT JOIN pg_roles r ON r.oid = a.grantee
WHERE starts_with(p.proname, 'leaddesk') AND a.grantee <> p.proowner
"""


def _allowed(table: str, role: str | None) -> frozenset[str]:
    grants = grants_for(table)
    if role == USER_ROLE:
        return grants.user_table_wide
    if role == ADMIN_ROLE:
        return grants.admin
    return frozenset()


def _normalised(signature: str) -> str:
    """``name(uuid, text)``: argument types (no names) as the model lists them and the catalog
    spells them (``oidvectortypes``: ``timestamp with time zone``, not its last word)."""
    name, _, args = signature.partition("(")
    types = [" ".join(part.split()) for part in args.rstrip(")").split(",") if part.strip()]
    return f"{name}({', '.join(types)})"


def team_check(conn: Connection, tables: Iterable[str]) -> list[str]:
    """Every privilege on the LeadDesk tables and functions wider than the model, one line each
    (an empty list: the database grants exactly what the app allows)."""
    known = set(tables)
    problems: list[str] = []
    for table, owner, rls, forced in conn.exec_driver_sql(_TABLE_STATE):
        if table not in known:
            continue
        if owner != OWNER_ROLE:
            problems.append(f"table {table} belongs to {owner}, not {OWNER_ROLE}")
        if table != "alembic_version" and not (rls and forced):
            problems.append(f"table {table} does not force row-level security")
    for table, role, privilege in conn.exec_driver_sql(_TABLE_ACL):
        if table in known and privilege not in _allowed(table, role):
            problems.append(f"{role or 'PUBLIC'} has {privilege} on {table}")
    for table, role, privilege, column in conn.exec_driver_sql(_COLUMN_ACL):
        if table not in known:
            continue
        grants = grants_for(table)
        ok = (role == USER_ROLE and privilege == UPDATE and column in grants.user_update_columns)
        if not ok and privilege not in _allowed(table, role):
            problems.append(f"{role or 'PUBLIC'} has {privilege} on {table}.{column}")
    members = {_normalised(f) for f in MEMBER_FUNCTIONS}
    for signature, owner, definer, role, privilege, config in conn.exec_driver_sql(_FUNCTION_ACL):
        plain = _normalised(signature)
        if role != USER_ROLE or plain not in members:
            problems.append(f"{role or 'PUBLIC'} has {privilege} on function {plain}")
        if owner != OWNER_ROLE:
            problems.append(f"function {plain} belongs to {owner}, not {OWNER_ROLE}")
        if definer and "search_path=" not in config:
            problems.append(f"function {plain} runs as its owner without a pinned search_path")
    return sorted(set(problems))
