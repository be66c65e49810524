"""text_passage: the sentences of each text by hash, for boilerplate learned from document frequency

Revision ID: 0006
Revises: 0005

Lineage leaves out of the evidence a passage that recurs across unrelated stories (a sponsor line, a
disclaimer, an "About <company>" paragraph): `archiver.lineage.boilerplate` decides it from these rows.
Texts stored before this revision have no rows: `archive reprocess` once after upgrading fills them.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: Union[str, Sequence[str], None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "text_passage",
        sa.Column("text_id", sa.Integer(), nullable=False),
        sa.Column("passage_key", sa.String(length=16), nullable=False),
        sa.Column("words", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["text_id"], ["text.id"], name=op.f("fk_text_passage_text_id_text"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("text_id", "passage_key", name=op.f("pk_text_passage")),
    )
    op.create_index("ix_text_passage_passage_key", "text_passage", ["passage_key", "text_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_text_passage_passage_key", table_name="text_passage")
    op.drop_table("text_passage")
