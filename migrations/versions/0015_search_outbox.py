"""search index outbox, written in the change's own transaction

Index updates no longer happen inside web requests with a retry queue for the failures: every
change writes the keys of its documents to `search_outbox` in its own transaction, and the job
queue's consumer applies them. The keys still waiting in the old retry queue are carried over.

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-04 19:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_outbox'))
    )
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_outbox_created_at'), ['created_at'], unique=False)
    op.execute("INSERT INTO search_outbox (key, created_at, attempts) "
               "SELECT key, queued_at, attempts FROM search_index_queue ORDER BY queued_at, id")
    with op.batch_alter_table('search_index_queue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_index_queue_queued_at'))
    op.drop_table('search_index_queue')


def downgrade():
    op.create_table('search_index_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('queued_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_index_queue')),
    sa.UniqueConstraint('key', name=op.f('uq_search_index_queue_key'))
    )
    with op.batch_alter_table('search_index_queue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_index_queue_queued_at'), ['queued_at'], unique=False)
    # The retry queue held one row per key: the oldest waiting time of each key is kept.
    op.execute("INSERT INTO search_index_queue (key, action, queued_at, attempts) "
               "SELECT key, 'index', MIN(created_at), MAX(attempts) FROM search_outbox GROUP BY key")
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_outbox_created_at'))
    op.drop_table('search_outbox')
