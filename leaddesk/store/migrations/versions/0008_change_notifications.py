"""Change notifications: PostgreSQL triggers announce each written table to other sessions

Every statement that writes one of LeadDesk's tables notifies channel ``leaddesk_changes`` with
the table's name (``leaddesk.store.change_watchers`` listens), so an open window sees a
team-mate's or the CLI's writes. Statement-level, so a bulk write costs one notification per
statement, and PostgreSQL folds identical ones of a transaction into one, sent at commit.
The function runs as the writer (not SECURITY DEFINER) and only calls ``pg_notify``, which every
role may; team setup makes it the owner role's like every ``leaddesk*`` function. A table added
by a later migration gets its trigger there (``CREATE TRIGGER leaddesk_notify_change ...``).
SQLite: nothing to do (its watcher polls ``PRAGMA data_version``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGER = "leaddesk_notify_change"

_FUNCTION = f"""CREATE OR REPLACE FUNCTION public.{TRIGGER}() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
  PERFORM pg_notify('leaddesk_changes', TG_TABLE_NAME);
  RETURN NULL;
END $$"""


def _tables() -> list[str]:
    """The schema's tables but Alembic's own."""
    rows = op.get_bind().execute(sa.text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename <> 'alembic_version' ORDER BY tablename"
    ))
    return [row[0] for row in rows]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_FUNCTION)
    for table in _tables():
        op.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON public."{table}"')
        op.execute(
            f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
            f'ON public."{table}" FOR EACH STATEMENT EXECUTE FUNCTION public.{TRIGGER}()'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _tables():
        op.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON public."{table}"')
    op.execute(f"DROP FUNCTION IF EXISTS public.{TRIGGER}()")
