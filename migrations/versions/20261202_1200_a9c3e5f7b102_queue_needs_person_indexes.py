"""queue "needs a person" indexes: escalated cases by category or region, held reports by age

The queue filtered by a category looked for its non-urgent cases needing a person by walking
every unaccepted case of that category (9,555 rows on the million-case bench when none
matched). These small partial indexes let that part start from the escalated and held cases.

Revision ID: a9c3e5f7b102
Revises: e4a7c9d2b318
Create Date: 2026-12-02 12:00:00+00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a9c3e5f7b102'
down_revision = 'e4a7c9d2b318'
branch_labels = None
depends_on = None

ESCALATED = sa.text("status = 'needs_attention'")
HELD = sa.text("flagged_for_review AND status IN ('received', 'referred', 'needs_attention')")


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_escalated_by_category',
                              ['category', 'urgent', 'created_at', 'id'], unique=False,
                              postgresql_where=ESCALATED, sqlite_where=ESCALATED)
        batch_op.create_index('ix_cases_escalated_by_region',
                              ['region_id', 'urgent', 'created_at', 'id'], unique=False,
                              postgresql_where=ESCALATED, sqlite_where=ESCALATED)
        batch_op.create_index('ix_cases_held_by_age', ['created_at', 'id'], unique=False,
                              postgresql_where=HELD, sqlite_where=HELD)


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_held_by_age')
        batch_op.drop_index('ix_cases_escalated_by_region')
        batch_op.drop_index('ix_cases_escalated_by_category')
