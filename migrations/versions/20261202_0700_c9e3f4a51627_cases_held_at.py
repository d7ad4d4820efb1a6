"""cases.held_at: reports past a phone's daily limit wait for staff instead of responders

Revision ID: c9e3f4a51627
Revises: b8d2e3f40516
Create Date: 2026-12-02 07:00:00+00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'c9e3f4a51627'
down_revision = 'b8d2e3f40516'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_held_at'), ['held_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_held_at'))
        batch_op.drop_column('held_at')
