"""team users and isolation

Team isolation needs no schema change: the ORM scope (``leaddesk.store.scoping``) works on the
existing ``owner_id``/``user_id``/``manager_id`` columns, a user's database role is found by the
``ld_<username>`` naming convention, and the sign-in mode is an ``app_settings`` row. PostgreSQL
roles, grants and row-level security policies are cluster- and deployment-specific, so they are
applied by ``leaddesk db team-setup`` (``leaddesk.store.postgres_security``), not here.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
