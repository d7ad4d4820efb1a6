"""alerts.reason sealed as alerts.reason_enc (responders type names and numbers there)

Revision ID: b8d2e3f40516
Revises: a7c1d2e3f405
Create Date: 2026-12-02 06:45:00+00:00

Existing reasons are sealed under ``alerts.reason:<created_at>`` with the running app's data
key, control characters stripped; downgrade opens them back into the plain column.
"""
from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision = 'b8d2e3f40516'
down_revision = 'a7c1d2e3f405'
branch_labels = None
depends_on = None

alerts = sa.table("alerts", sa.column("id", sa.Integer), sa.column("created_at", sa.DateTime(timezone=True)),
                  sa.column("reason", sa.String), sa.column("reason_enc", sa.Text))


def _context(created_at) -> str:  # type: ignore[no-untyped-def]
    """The seal's context exactly as the model builds it (aware UTC, as UTCDateTime reads)."""
    aware = (created_at.replace(tzinfo=UTC) if created_at.tzinfo is None
             else created_at.astimezone(UTC))
    return f"alerts.reason:{aware.isoformat()}"


def upgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_enc', sa.Text(), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.select(alerts.c.id, alerts.c.created_at, alerts.c.reason)
                        .where(alerts.c.reason.is_not(None))).all()
    if rows:
        from app.privacy import strip_controls, vault

        for rid, created_at, reason in rows:
            conn.execute(sa.update(alerts).where(alerts.c.id == rid).values(
                reason_enc=vault().encrypt(strip_controls(reason), _context(created_at))))
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_column('reason')


def downgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=200), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.select(alerts.c.id, alerts.c.created_at, alerts.c.reason_enc)
                        .where(alerts.c.reason_enc.is_not(None))).all()
    if rows:
        from app.privacy import vault

        for rid, created_at, token in rows:
            conn.execute(sa.update(alerts).where(alerts.c.id == rid).values(
                reason=vault().decrypt(token, _context(created_at))[:200]))
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_column('reason_enc')
