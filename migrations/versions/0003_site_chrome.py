"""site_paragraph: per-site paragraph hashes that learned site chrome (site templates) is read from

Revision ID: 0003
Revises: 0001

The table is an index: `archive reprocess` rebuilds it from the captures' raw bytes, so existing
archives get it filled by running that once after upgrading.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('site_paragraph',
    sa.Column('capture_id', sa.Integer(), nullable=False),
    sa.Column('paragraph_hash', sa.String(length=32), nullable=False),
    sa.Column('site', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['capture_id'], ['capture.id'], name=op.f('fk_site_paragraph_capture_id_capture'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('capture_id', 'paragraph_hash', name=op.f('pk_site_paragraph'))
    )
    with op.batch_alter_table('site_paragraph', schema=None) as batch_op:
        batch_op.create_index('ix_site_paragraph_site_hash', ['site', 'paragraph_hash'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('site_paragraph', schema=None) as batch_op:
        batch_op.drop_index('ix_site_paragraph_site_hash')
    op.drop_table('site_paragraph')
