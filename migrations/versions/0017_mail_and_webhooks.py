"""e-mail choices and digests, and outgoing webhooks

Each person chooses per kind of notification: in the app only, e-mail at once or the daily
digest (`notification_preference`, only where it differs from the kind's default). A notification
keeps the delivery it was written with, when its e-mail went out or why not, and the digest that
listed it (`mail_digest`). Existing notifications were in-app only.

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-04 19:18:35

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mail_digest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('error', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mail_digest_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_digest'))
    )
    with op.batch_alter_table('mail_digest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_digest_user_id'), ['user_id'], unique=False)

    op.create_table('notification_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('delivery', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preference_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preference')),
    sa.UniqueConstraint('user_id', 'kind', name=op.f('uq_notification_preference_user_id_kind'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery', sa.String(length=8), server_default='app', nullable=False))
        batch_op.add_column(sa.Column('digest_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('mailed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('mail_error', sa.String(length=200), server_default='', nullable=False))
        batch_op.create_index('ix_notification_delivery_digest', ['delivery', 'digest_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_notification_digest_id_mail_digest'), 'mail_digest', ['digest_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notification_digest_id_mail_digest'), type_='foreignkey')
        batch_op.drop_index('ix_notification_delivery_digest')
        batch_op.drop_column('mail_error')
        batch_op.drop_column('mailed_at')
        batch_op.drop_column('digest_id')
        batch_op.drop_column('delivery')

    op.drop_table('notification_preference')
    with op.batch_alter_table('mail_digest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_digest_user_id'))

    op.drop_table('mail_digest')
