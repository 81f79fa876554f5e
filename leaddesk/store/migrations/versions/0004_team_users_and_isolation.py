"""team users and isolation

The ORM scope (``leaddesk.store.scoping``) works on the existing ``owner_id``/``user_id``/
``manager_id`` columns, a user's database role is found by the ``ld_<username>`` naming
convention, and the sign-in mode is an ``app_settings`` row. The one schema change is an index
that lets a rep's page in the default order walk only their own live leads. PostgreSQL roles,
grants and row-level security policies are cluster- and deployment-specific, so they are applied
by ``leaddesk db team-setup`` (``leaddesk.store.postgres_security``), not here.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_LIVE = {
    "sqlite_where": sa.text("deleted_at IS NULL"),
    "postgresql_where": sa.text("deleted_at IS NULL"),
}


def upgrade() -> None:
    op.create_index(
        "ix_leads_owner_id_updated_at_id_live", "leads", ["owner_id", "updated_at", "id"],
        unique=False, **_LIVE,
    )


def downgrade() -> None:
    op.drop_index("ix_leads_owner_id_updated_at_id_live", table_name="leads", **_LIVE)
