"""named api tokens with expiry, and the addresses users signed in from

API tokens get an optional expiry and a name unique among the user's tokens that are not revoked;
tokens of the same user that shared a name (the CLI named them all "cli") or had none are renamed
by their id. Sign-in throttling remembers the addresses each user signed in from successfully.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 16:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE api_token SET label = 'token ' || CAST(id AS VARCHAR(20)) "
               "WHERE TRIM(label) = ''")
    op.execute("UPDATE api_token SET label = label || ' ' || CAST(id AS VARCHAR(20)) "
               "WHERE revoked_at IS NULL AND id NOT IN (SELECT MIN(id) FROM api_token "
               "WHERE revoked_at IS NULL GROUP BY user_id, label)")
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index('uq_api_token_user_id_label', ['user_id', 'label'], unique=True,
                              sqlite_where=sa.text('revoked_at IS NULL'),
                              postgresql_where=sa.text('revoked_at IS NULL'))

    op.create_table('sign_in_address',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('last_signed_in_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_in_address_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_address')),
    sa.UniqueConstraint('user_id', 'address_hash', name=op.f('uq_sign_in_address_user_id_address_hash'))
    )


def downgrade():
    op.drop_table('sign_in_address')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index('uq_api_token_user_id_label')
        batch_op.drop_column('expires_at')
