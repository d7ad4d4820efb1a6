"""retention empties typed texts: staff notes and coordination message texts may be NULL

Retention destroys a staff note's text once its case is past ``RETENTION_CLOSED_CASE_DAYS``
and a coordination message's texts after ``RETENTION_MESSAGE_DAYS``; the rows (who, when,
counts) stay, with NULL where the sealed text was, as for a case's personal fields.

Revision ID: b3d1f6a2c904
Revises: a9c3e5f7b102
Create Date: 2026-12-02 15:00:00+00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'b3d1f6a2c904'
down_revision = 'a9c3e5f7b102'
branch_labels = None
depends_on = None

COLUMNS = (("staff_notes", "text_enc"), ("broadcasts", "text_sw_enc"),
           ("broadcasts", "text_en_enc"))


def upgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    # A destroyed text cannot come back: the emptied rows hold an empty string instead.
    for table, column in COLUMNS:
        op.execute(sa.text(f"UPDATE {table} SET {column} = '' WHERE {column} IS NULL"))  # noqa: S608
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.Text(), nullable=False)
