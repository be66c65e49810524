"""correction: lineage corrections set by hand, and capture_origin naming a publisher pinned by hand

Revision ID: 0005
Revises: 0004

`archive link`, `unlink` and `origin` store rows here; every re-derivation of a family's lineage
applies them. The capture_origin view's origin_publisher is the publisher an `archive origin
--publisher` correction names for the origin capture, else (as before) the origin's own.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: Union[str, Sequence[str], None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# Each migration keeps its own copy of the view SQL it ran (0001 made the view without corrections).
CAPTURE_ORIGIN_CHAIN = """
CREATE VIEW capture_origin AS
WITH RECURSIVE chain(capture_id, node_id, depth) AS (
    SELECT id, id, 0 FROM capture
    UNION ALL
    SELECT chain.capture_id, e.parent_id, chain.depth + 1
    FROM chain JOIN lineage_edge e ON e.child_id = chain.node_id
    WHERE chain.depth < 1000
),
ranked AS (
    SELECT capture_id, node_id,
           ROW_NUMBER() OVER (PARTITION BY capture_id ORDER BY depth DESC) AS rn
    FROM chain
)
SELECT c.id AS capture_id,
       e.parent_id AS parent_id,
       e.relation AS relation,
       e.score AS score,
       ranked.node_id AS origin_id,
       {publisher} AS origin_publisher
FROM capture c
JOIN ranked ON ranked.capture_id = c.id AND ranked.rn = 1
JOIN capture o ON o.id = ranked.node_id
LEFT JOIN lineage_edge e ON e.child_id = c.id
"""

PINNED_PUBLISHER = (
    "COALESCE((SELECT MAX(k.publisher) FROM correction k WHERE k.kind = 'origin' AND k.capture_id = o.id), "
    "o.source_publisher)"
)


def upgrade() -> None:
    op.create_table(
        "correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("capture_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("relation", sa.String(length=20), nullable=True),
        sa.Column("publisher", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["capture_id"], ["capture.id"], name=op.f("fk_correction_capture_id_capture"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["capture.id"], name=op.f("fk_correction_parent_id_capture"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correction")),
    )
    op.create_index(op.f("ix_correction_capture_id"), "correction", ["capture_id"], unique=False)
    op.execute("DROP VIEW IF EXISTS capture_origin")
    op.execute(CAPTURE_ORIGIN_CHAIN.format(publisher=PINNED_PUBLISHER))


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS capture_origin")
    op.execute(CAPTURE_ORIGIN_CHAIN.format(publisher="o.source_publisher"))
    op.drop_index(op.f("ix_correction_capture_id"), table_name="correction")
    op.drop_table("correction")
