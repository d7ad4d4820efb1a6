"""sandbox phones: the "silent" mode (accepted, never a delivery report)

Revision ID: e3a9c4d7b201
Revises: b7d2f0c4a913
Create Date: 2026-12-02 10:30:00+00:00

Hand-written: autogenerate does not see a value added to an enum's CHECK constraint.
"""
from alembic import op
import sqlalchemy as sa


revision = 'e3a9c4d7b201'
down_revision = 'b7d2f0c4a913'
branch_labels = None
depends_on = None

MODES = ['normal', 'fail', 'reject', 'blacklist', 'throttle', 'timeout', 'undeliverable']


def _modes(values: list[str]) -> None:
    with op.batch_alter_table('sandbox_phones', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_sandbox_phones_phonemode'), type_='check')
        batch_op.create_check_constraint('phonemode', sa.column('mode').in_(values))


def upgrade() -> None:
    _modes([*MODES, 'silent'])


def downgrade() -> None:
    op.execute("UPDATE sandbox_phones SET mode = 'normal' WHERE mode = 'silent'")
    _modes(MODES)
