"""credits ledger extensions

Holds of reservations in flight, spend caps on the account row, redeemed top-up codes and the
versioned price list. Reservations left unsettled by an older version get a hold (with no holder,
so crash recovery treats them by age).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "price_list_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_price_list_versions_created_by_users")
        ),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_price_list_versions")),
    )
    op.create_table(
        "credit_holds",
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("cap_window", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["credit_accounts.id"],
            name=op.f("fk_credit_holds_account_id_credit_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"], ["credit_transactions.id"],
            name=op.f("fk_credit_holds_reservation_id_credit_transactions"),
        ),
        sa.PrimaryKeyConstraint("reservation_id", name=op.f("pk_credit_holds")),
    )
    with op.batch_alter_table("credit_holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_holds_account_id"), ["account_id"])
        batch_op.create_index(batch_op.f("ix_credit_holds_created_at"), ["created_at"])

    op.create_table(
        "redeemed_topup_codes",
        sa.Column("code_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("transaction_id", sa.Uuid(), nullable=False),
        sa.Column("redeemed_by", sa.Uuid(), nullable=True),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["credit_accounts.id"],
            name=op.f("fk_redeemed_topup_codes_account_id_credit_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["redeemed_by"], ["users.id"], name=op.f("fk_redeemed_topup_codes_redeemed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"], ["credit_transactions.id"],
            name=op.f("fk_redeemed_topup_codes_transaction_id_credit_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redeemed_topup_codes")),
        sa.UniqueConstraint("code_id", name=op.f("uq_redeemed_topup_codes_code_id")),
    )
    with op.batch_alter_table("credit_accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("spend_cap", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "spend_cap_period",
                sa.Enum("week", "month", name="spend_cap_period", native_enum=False,
                        create_constraint=True),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("cap_window", sa.Integer(), server_default="0",
                                      nullable=False))
        batch_op.add_column(sa.Column("cap_spent", sa.Integer(), server_default="0",
                                      nullable=False))

    # Reservations an older version left unsettled are in flight (or were left by a crash).
    op.execute(
        "INSERT INTO credit_holds (reservation_id, account_id, amount, cap_window, holder, "
        "created_at) "
        "SELECT r.id, r.account_id, -r.amount, 0, '', r.created_at FROM credit_transactions r "
        "WHERE r.kind = 'reservation' AND NOT EXISTS (SELECT 1 FROM credit_transactions s "
        "WHERE s.reservation_id = r.id AND s.kind IN ('consumption', 'release'))"
    )


def downgrade() -> None:
    with op.batch_alter_table("credit_accounts", schema=None) as batch_op:
        batch_op.drop_column("cap_spent")
        batch_op.drop_column("cap_window")
        batch_op.drop_column("spend_cap_period")
        batch_op.drop_column("spend_cap")
    op.drop_table("redeemed_topup_codes")
    with op.batch_alter_table("credit_holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_holds_created_at"))
        batch_op.drop_index(batch_op.f("ix_credit_holds_account_id"))
    op.drop_table("credit_holds")
    op.drop_table("price_list_versions")
