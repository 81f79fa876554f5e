"""lead search and import

Full-text search over leads (SQLite: an FTS5 trigram index kept by triggers; PostgreSQL: a
pg_trgm GIN index), indexes on the duplicate keys, undoable change sets (imports, bulk edits, merges) and saved views.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# The search text of a lead, on both backends (columns are NOT NULL, so '||' never gives NULL).
_NAME = "{p}first_name || ' ' || {p}last_name"
_COLUMNS = ("email", "company", "title", "notes")
_FTS_COLUMNS = "name, email, company, title, notes"


def _fts_values(prefix: str) -> str:
    return ", ".join([_NAME.format(p=prefix)] + [f"{prefix}{c}" for c in _COLUMNS])


SQLITE_SEARCH = [
    # Contentless: the text lives in leads only; the index maps trigrams to leads.rowid.
    f"CREATE VIRTUAL TABLE leads_fts USING fts5({_FTS_COLUMNS}, content='', tokenize='trigram')",
    f"""CREATE TRIGGER leads_fts_insert AFTER INSERT ON leads BEGIN
        INSERT INTO leads_fts (rowid, {_FTS_COLUMNS}) VALUES (new.rowid, {_fts_values('new.')});
    END""",
    f"""CREATE TRIGGER leads_fts_delete AFTER DELETE ON leads BEGIN
        INSERT INTO leads_fts (leads_fts, rowid, {_FTS_COLUMNS})
        VALUES ('delete', old.rowid, {_fts_values('old.')});
    END""",
    f"""CREATE TRIGGER leads_fts_update
    AFTER UPDATE OF first_name, last_name, email, company, title, notes ON leads BEGIN
        INSERT INTO leads_fts (leads_fts, rowid, {_FTS_COLUMNS})
        VALUES ('delete', old.rowid, {_fts_values('old.')});
        INSERT INTO leads_fts (rowid, {_FTS_COLUMNS}) VALUES (new.rowid, {_fts_values('new.')});
    END""",
    f"INSERT INTO leads_fts (rowid, {_FTS_COLUMNS}) SELECT rowid, {_fts_values('')} FROM leads",
]
# One expression holding all the searched text; the search must use the very same expression.
_PG_TEXT = " || ' ' || ".join(["first_name", "last_name", *_COLUMNS])
POSTGRES_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX ix_leads_search_trgm ON leads USING gin (({_PG_TEXT}) gin_trgm_ops)",
]


# Duplicate keys (email and LinkedIn URL compare case-insensitively); partial, as most leads lack
# one or the other. SQLite: NOCASE columns, not lower(), since SQLAlchemy cannot reflect an
# expression index there (batch migrations would warn and drop it). Not modelled, like the above.
KEY_INDEXES = {
    "sqlite": [
        "CREATE INDEX ix_leads_key_email ON leads (email COLLATE NOCASE) WHERE email != ''",
        "CREATE INDEX ix_leads_key_linkedin ON leads (linkedin_url COLLATE NOCASE) "
        "WHERE linkedin_url != ''",
    ],
    "postgresql": [
        "CREATE INDEX ix_leads_key_email ON leads (lower(email)) WHERE email != ''",
        "CREATE INDEX ix_leads_key_linkedin ON leads (lower(linkedin_url)) "
        "WHERE linkedin_url != ''",
    ],
}
PHONE_INDEX = "CREATE INDEX ix_leads_key_phone ON leads (phone) WHERE phone != ''"


def upgrade() -> None:
    op.create_table(
        "lead_change_sets",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_lead_change_sets_actor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_change_sets")),
    )
    with op.batch_alter_table("lead_change_sets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_lead_change_sets_kind_created_at", ["kind", "created_at"], unique=False
        )
    op.create_table(
        "lead_snapshots",
        sa.Column("change_set_id", sa.Uuid(), nullable=False),
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column("before", JSON, nullable=True),
        sa.ForeignKeyConstraint(
            ["change_set_id"], ["lead_change_sets.id"],
            name=op.f("fk_lead_snapshots_change_set_id_lead_change_sets"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("change_set_id", "lead_id", name=op.f("pk_lead_snapshots")),
    )
    op.create_table(
        "saved_views",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("query", JSON, nullable=False),
        sa.Column("sort", JSON, nullable=False),
        sa.Column("columns", JSON, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_saved_views_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_views")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_saved_views_user_id_name")),
    )
    dialect = op.get_bind().dialect.name
    for statement in [*KEY_INDEXES.get(dialect, []), PHONE_INDEX]:
        op.execute(statement)
    for statement in {"sqlite": SQLITE_SEARCH, "postgresql": POSTGRES_SEARCH}.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("leads_fts_insert", "leads_fts_delete", "leads_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS leads_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_leads_search_trgm")
    for name in ("ix_leads_key_email", "ix_leads_key_phone", "ix_leads_key_linkedin"):
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_table("saved_views")
    op.drop_table("lead_snapshots")
    with op.batch_alter_table("lead_change_sets", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_change_sets_kind_created_at")
    op.drop_table("lead_change_sets")
