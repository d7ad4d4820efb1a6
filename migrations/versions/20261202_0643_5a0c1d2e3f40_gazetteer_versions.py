"""gazetteer version stamp

Revision ID: 5a0c1d2e3f40
Revises: c4a1d2e3f5b6
Create Date: 2026-12-02 06:20:00+00:00

Web processes keep the gazetteer in memory; this stamp tells them when `linda gazetteer load`
changed it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5a0c1d2e3f40'
down_revision = 'c4a1d2e3f5b6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('gazetteer_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gazetteer_versions'))
    )


def downgrade() -> None:
    op.drop_table('gazetteer_versions')
