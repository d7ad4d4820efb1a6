"""centres.age_min/age_max may be empty: whom a centre takes is not always known yet

Revision ID: f4b0d5e8c312
Revises: e3a9c4d7b201
Create Date: 2026-12-02 10:40:00+00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f4b0d5e8c312'
down_revision = 'e3a9c4d7b201'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('centres', schema=None) as batch_op:
        batch_op.alter_column('age_min', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('age_max', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # An unknown range becomes the widest one the importer allows, as before this revision.
    op.execute("UPDATE centres SET age_min = 0, age_max = 30 WHERE age_min IS NULL "
               "OR age_max IS NULL")
    with op.batch_alter_table('centres', schema=None) as batch_op:
        batch_op.alter_column('age_max', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('age_min', existing_type=sa.Integer(), nullable=False)
