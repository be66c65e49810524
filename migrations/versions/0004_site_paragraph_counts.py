"""site_paragraph.position and .other_stories: learned site templates removed during `archive add`

Revision ID: 0004
Revises: 0003

`other_stories` counts, per capture and paragraph, the other captures of the site that hold the
paragraph and tell another story (up to 3, the threshold); `position` is where the paragraph first
occurs in the body, so a capture's paragraphs can be compared in the order the cleaner gave them.
With both, `archive add` keeps every capture of a site cleaned against all the others. Rows made
before this revision start at 0 and null: `archive reprocess` once after upgrading fills them (until
then, captures added earlier lose a template only as later adds count it up to 3 again).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: Union[str, Sequence[str], None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # ALTER TABLE ADD COLUMN on both backends (no batch copy of the table)
    op.add_column("site_paragraph", sa.Column("position", sa.Integer(), nullable=True))
    op.add_column(
        "site_paragraph", sa.Column("other_stories", sa.Integer(), server_default="0", nullable=False)
    )
    op.drop_index("ix_site_paragraph_site_hash", table_name="site_paragraph")
    op.create_index(
        "ix_site_paragraph_site_hash_stories",
        "site_paragraph",
        ["site", "paragraph_hash", "other_stories", "capture_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_site_paragraph_site_hash_stories", table_name="site_paragraph")
    op.create_index("ix_site_paragraph_site_hash", "site_paragraph", ["site", "paragraph_hash"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE site_paragraph DROP COLUMN other_stories")  # SQLite >= 3.35
        op.execute("ALTER TABLE site_paragraph DROP COLUMN position")
    else:
        op.drop_column("site_paragraph", "other_stories")
        op.drop_column("site_paragraph", "position")
