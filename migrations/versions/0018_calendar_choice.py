"""each user's calendar and digits

Persian pages show Solar Hijri dates and Thai pages Buddhist-era dates unless the user picks the
Gregorian calendar; Thai readers may pick Thai digits. "default" is the language's own.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 20:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


# Plain ALTER TABLE with a server default (no batch copy of `users`, as in 0016).
def upgrade():
    op.add_column('users', sa.Column('calendar', sa.String(length=16), server_default='default', nullable=False))
    op.add_column('users', sa.Column('digits', sa.String(length=8), server_default='default', nullable=False))


def downgrade():
    op.drop_column('users', 'digits')
    op.drop_column('users', 'calendar')
