"""search log reference, given before the buffered row is written

The query log is written in batches off the request path (core/read_buffer.py), so a search has
no id yet when its results page links the opened results to it: each entry gets a random
reference instead. Earlier entries keep none (their opens were recorded long ago).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 17:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('search_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ref', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_search_log_ref'), ['ref'])


def downgrade():
    with op.batch_alter_table('search_log', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_search_log_ref'), type_='unique')
        batch_op.drop_column('ref')
