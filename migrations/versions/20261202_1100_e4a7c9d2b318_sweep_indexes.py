"""Indexes for the referral sweep: open waves by deadline (replacing the indexes on
deadline_at and closed_at alone), SMS by status and last change, alerts by their SMS

Revision ID: e4a7c9d2b318
Revises: e4d5c6b7a819
Create Date: 2026-12-02 11:00:00+00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'e4a7c9d2b318'
down_revision = 'e4d5c6b7a819'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_referral_waves_deadline_at', table_name='referral_waves')
    op.drop_index('ix_referral_waves_closed_at', table_name='referral_waves')
    op.create_index('ix_referral_waves_open_deadline', 'referral_waves', ['deadline_at'],
                    postgresql_where=sa.text('closed_at IS NULL'),
                    sqlite_where=sa.text('closed_at IS NULL'))
    op.create_index('ix_outbound_sms_status_updated_at', 'outbound_sms',
                    ['status', 'updated_at'])
    op.create_index('ix_alerts_sms_id', 'alerts', ['sms_id'])


def downgrade():
    op.drop_index('ix_alerts_sms_id', table_name='alerts')
    op.drop_index('ix_outbound_sms_status_updated_at', table_name='outbound_sms')
    op.drop_index('ix_referral_waves_open_deadline', table_name='referral_waves')
    op.create_index('ix_referral_waves_closed_at', 'referral_waves', ['closed_at'])
    op.create_index('ix_referral_waves_deadline_at', 'referral_waves', ['deadline_at'])
