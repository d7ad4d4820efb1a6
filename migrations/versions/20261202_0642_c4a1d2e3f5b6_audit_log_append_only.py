"""audit_log append-only on PostgreSQL

Revision ID: c4a1d2e3f5b6
Revises: 7a6360845fc4
Create Date: 2026-12-02 06:40:00+00:00

A trigger refuses UPDATE and DELETE on audit_log from any client. TRUNCATE is not covered
(row triggers do not fire on it); only the database owner can truncate. SQLite has no such
trigger: the application refuses the change there (app/audit/services.py).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4a1d2e3f5b6'
down_revision = '7a6360845fc4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
""")
    op.execute("""
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
""")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
