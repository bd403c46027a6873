"""e-mail choices and digests, and outgoing webhooks

Each person chooses per kind of notification: in the app only, e-mail at once or the daily
digest (`notification_preference`, only where it differs from the kind's default). A notification
keeps the delivery it was written with, when its e-mail went out or why not, and the digest that
listed it (`mail_digest`). Existing notifications were in-app only. Webhooks (`webhook`) and
the log of what was sent to each (`webhook_delivery`).

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-04 19:18:35

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0014'
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

    op.create_table('webhook',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('description', sa.String(length=120), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_webhook_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook'))
    )
    op.create_table('webhook_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('webhook_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('response_status', sa.Integer(), nullable=True),
    sa.Column('response_excerpt', sa.String(length=500), nullable=False),
    sa.Column('error', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['webhook_id'], ['webhook.id'], name=op.f('fk_webhook_delivery_webhook_id_webhook'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_delivery'))
    )
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_delivery_webhook_created', ['webhook_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_delivery_webhook_created')

    op.drop_table('webhook_delivery')
    op.drop_table('webhook')

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
