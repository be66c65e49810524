"""versions: pages, page versions, full-text search, page_latest view

Revision ID: 0002
Revises: 0001

Adds the `page` and `page_version` tables and `capture.page_id` / `capture.version`; full-text
search over `text.body` (SQLite: the FTS5 table `text_fts`, kept in sync by triggers; PostgreSQL:
a GIN index on to_tsvector('simple', body)); the `page_latest` view. Existing captures with a URL
are put on their pages and numbered, and the families of pages with several captures re-derived,
so an archive from release 0001 answers `history` and `search` right after the upgrade.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Each migration keeps its own copy of the SQL it ran (see 0001).
PAGE_LATEST = """
CREATE VIEW page_latest AS
SELECT p.id AS page_id,
       p.url AS url,
       v.version AS version,
       v.capture_id AS capture_id,
       c.title AS title,
       c.text_id AS text_id,
       c.captured_at AS captured_at,
       v.last_captured_at AS last_captured_at,
       (SELECT COUNT(*) FROM capture a WHERE a.page_id = p.id) AS captures
FROM page p
JOIN page_version v ON v.page_id = p.id
 AND v.version = (SELECT MAX(w.version) FROM page_version w WHERE w.page_id = p.id)
JOIN capture c ON c.id = v.capture_id
"""

# unicode61 with diacritics folded: language-neutral word splitting (the archive holds en, de, fr,
# es, id... texts: a stemmer for one language would mis-stem the others). PostgreSQL's 'simple'
# configuration is its equivalent: lower-cased words, no stemming, no stop words.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE text_fts USING fts5(body, content='text', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER text_fts_insert AFTER INSERT ON text BEGIN "
    "INSERT INTO text_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER text_fts_delete AFTER DELETE ON text BEGIN "
    "INSERT INTO text_fts(text_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER text_fts_update AFTER UPDATE OF body ON text BEGIN "
    "INSERT INTO text_fts(text_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO text_fts(rowid, body) VALUES (new.id, new.body); END",
    "INSERT INTO text_fts(text_fts) VALUES ('rebuild')",
]
# A tsvector holds at most 1 MB: the index covers a text's first 200,000 characters (about 30,000 words,
# over 10x the longest aeb-dev article), which stays under that limit even when every word is distinct;
# a 20 MB page's text would otherwise make its capture impossible to store.
POSTGRES_FTS = (
    "CREATE INDEX ix_text_body_fts ON text USING gin (to_tsvector('simple'::regconfig, left(body, 200000)))"
)


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    op.create_table(
        "page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page")),
        sa.UniqueConstraint("url", name=op.f("uq_page_url")),
    )
    if sqlite:
        # ALTER TABLE ADD COLUMN, never a batch copy: re-creating `capture` with foreign keys on would
        # cascade-delete its chrome, credits and lineage edges.
        op.execute("ALTER TABLE capture ADD COLUMN page_id INTEGER REFERENCES page (id)")
        op.execute("ALTER TABLE capture ADD COLUMN version INTEGER")
    else:
        op.add_column("capture", sa.Column("page_id", sa.Integer(), nullable=True))
        op.add_column("capture", sa.Column("version", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_capture_page_id_page"), "capture", "page", ["page_id"], ["id"])
    op.create_index(op.f("ix_capture_page_id"), "capture", ["page_id"], unique=False)
    op.create_table(
        "page_version",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("capture_id", sa.Integer(), nullable=False),
        sa.Column("captures", sa.Integer(), nullable=False),
        sa.Column("last_captured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("words_added", sa.Integer(), nullable=True),
        sa.Column("words_removed", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["capture_id"], ["capture.id"], name=op.f("fk_page_version_capture_id_capture"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["page_id"], ["page.id"], name=op.f("fk_page_version_page_id_page"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("page_id", "version", name=op.f("pk_page_version")),
    )
    op.create_index(op.f("ix_page_version_capture_id"), "page_version", ["capture_id"], unique=False)
    if sqlite:
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        op.execute(POSTGRES_FTS)
    op.execute(PAGE_LATEST)

    # Data: the app's own page/version/lineage code, on the models as of this revision. A later
    # migration that changes `capture`, `text`, `credit` or `lineage_edge` must freeze this step.
    from archiver.pipeline import backfill_pages

    session = Session(bind=bind)
    backfill_pages(session)
    session.flush()


def downgrade() -> None:
    bind = op.get_bind()
    op.execute("DROP VIEW IF EXISTS page_latest")
    if bind.dialect.name == "sqlite":
        for name in ("text_fts_update", "text_fts_delete", "text_fts_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS text_fts")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_text_body_fts")
    op.drop_index(op.f("ix_page_version_capture_id"), table_name="page_version")
    op.drop_table("page_version")
    op.drop_index(op.f("ix_capture_page_id"), table_name="capture")
    if bind.dialect.name == "sqlite":
        op.execute("ALTER TABLE capture DROP COLUMN version")  # SQLite >= 3.35
        op.execute("ALTER TABLE capture DROP COLUMN page_id")
    else:
        op.drop_constraint(op.f("fk_capture_page_id_page"), "capture", type_="foreignkey")
        op.drop_column("capture", "version")
        op.drop_column("capture", "page_id")
    op.drop_table("page")
