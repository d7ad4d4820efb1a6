"""responders.uid: bind each sealed number to its row, not to its blind index

Revision ID: a7c1d2e3f405
Revises: 5a0c1d2e3f40
Create Date: 2026-12-02 06:30:00+00:00

Numbers sealed under ``responders.phone:<phone_hash>`` are re-sealed under
``responders.phone:<uid>`` with the running app's data key (``linda db upgrade`` has it).
Downgrade seals them back to the hash.
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = 'a7c1d2e3f405'
down_revision = '5a0c1d2e3f40'
branch_labels = None
depends_on = None

responders = sa.table("responders", sa.column("id", sa.Integer), sa.column("uid", sa.String),
                      sa.column("phone_enc", sa.Text), sa.column("phone_hash", sa.String))


def _reseal(old_anchor: str, new_anchor: str) -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(responders)).mappings().all()
    if not rows:
        return
    from app.privacy import vault

    v = vault()
    for row in rows:
        plain = v.decrypt(row["phone_enc"], f"responders.phone:{row[old_anchor]}")
        conn.execute(sa.update(responders).where(responders.c.id == row["id"]).values(
            phone_enc=v.encrypt(plain, f"responders.phone:{row[new_anchor]}")))


def upgrade() -> None:
    with op.batch_alter_table('responders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uid', sa.String(length=32), nullable=True))
    conn = op.get_bind()
    for (rid,) in conn.execute(sa.select(responders.c.id)).all():
        conn.execute(sa.update(responders).where(responders.c.id == rid)
                     .values(uid=uuid.uuid4().hex))
    _reseal("phone_hash", "uid")
    with op.batch_alter_table('responders', schema=None) as batch_op:
        batch_op.alter_column('uid', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_responders_uid'), ['uid'])


def downgrade() -> None:
    _reseal("uid", "phone_hash")
    with op.batch_alter_table('responders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_responders_uid'), type_='unique')
        batch_op.drop_column('uid')
