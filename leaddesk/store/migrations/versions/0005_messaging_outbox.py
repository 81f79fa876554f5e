"""messaging outbox: suppression list, send counters, message integration and claim columns

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


@contextmanager
def _batch_messages() -> Iterator[object]:
    """Batch mode reflects the tables ``messages`` refers to; SQLAlchemy cannot reflect the
    expression indexes on ``leads`` and says so. They are left alone, so the note is noise."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        with op.batch_alter_table("messages") as batch_op:
            yield batch_op


def upgrade() -> None:
    op.create_table(
        "suppressions",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_suppressions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_suppressions_message_id_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppressions")),
    )
    with op.batch_alter_table("suppressions") as batch_op:
        batch_op.create_index("ix_suppressions_kind_value", ["kind", "value"], unique=False)

    op.create_table(
        "send_counters",
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "period", name=op.f("pk_send_counters")),
    )

    with _batch_messages() as batch_op:
        batch_op.add_column(sa.Column("integration_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("claimed_by", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_messages_integration_id_integrations"),
            "integrations",
            ["integration_id"],
            ["id"],
        )


def downgrade() -> None:
    with _batch_messages() as batch_op:
        batch_op.drop_constraint(
            op.f("fk_messages_integration_id_integrations"), type_="foreignkey"
        )
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("integration_id")
    op.drop_table("send_counters")
    with op.batch_alter_table("suppressions") as batch_op:
        batch_op.drop_index("ix_suppressions_kind_value")
    op.drop_table("suppressions")
