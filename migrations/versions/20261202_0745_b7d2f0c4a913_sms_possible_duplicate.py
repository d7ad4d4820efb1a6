"""outbound_sms.possible_duplicate: a try whose outcome was lost after it may have reached AT

Revision ID: b7d2f0c4a913
Revises: d622ca18f549
Create Date: 2026-12-02 06:40:00+00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b7d2f0c4a913'
down_revision = 'd622ca18f549'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbound_sms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('possible_duplicate', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('outbound_sms', schema=None) as batch_op:
        batch_op.drop_column('possible_duplicate')
