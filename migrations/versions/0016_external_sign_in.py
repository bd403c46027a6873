"""where each user signs in: local password, OpenID Connect or LDAP

Users created by a company sign-in are tied to their identity there (the OpenID subject, the
directory entry's id), unique per source, so that a renamed account is still the same person
and a local account of the same username is never taken over. Existing users are local.

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-08 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0013'
branch_labels = None
depends_on = None


# Plain ALTER TABLE and an index, no batch copy of `users`: on SQLite a batch would drop and
# recreate the table, and with foreign keys on that drop would cascade to every user's rows.
def upgrade():
    op.add_column('users', sa.Column('auth_source', sa.String(length=16), server_default='local', nullable=False))
    op.add_column('users', sa.Column('external_id', sa.String(length=255), nullable=True))
    op.create_index('uq_users_auth_source_external_id', 'users', ['auth_source', 'external_id'], unique=True)


def downgrade():
    op.drop_index('uq_users_auth_source_external_id', table_name='users')
    op.drop_column('users', 'external_id')
    op.drop_column('users', 'auth_source')
