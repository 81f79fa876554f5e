"""WhatsApp content templates: Content SID and variables on templates and messages

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


@contextmanager
def _batch(table: str) -> Iterator[object]:
    """As in 0005: batch mode cannot reflect the expression indexes on ``leads``; ignored."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        with op.batch_alter_table(table) as batch_op:
            yield batch_op


def upgrade() -> None:
    with _batch("message_templates") as batch_op:
        batch_op.add_column(
            sa.Column("content_sid", sa.String(length=34), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("content_variables", JSON, nullable=False, server_default="{}")
        )
    with _batch("messages") as batch_op:
        batch_op.add_column(
            sa.Column("content_sid", sa.String(length=34), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("content_variables", JSON, nullable=True))


def downgrade() -> None:
    with _batch("messages") as batch_op:
        batch_op.drop_column("content_variables")
        batch_op.drop_column("content_sid")
    with _batch("message_templates") as batch_op:
        batch_op.drop_column("content_variables")
        batch_op.drop_column("content_sid")
