"""article uses and impact

Links between contacts and the articles used on them (joined to the resolution records on the
ticket id, so a link may come before its contact), and each article's latest impact verdict.

Revision ID: 0013
Revises: 0015
Create Date: 2026-12-10 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.add_column(sa.Column('impact_lift', sa.Float(), nullable=True))

    op.create_table('article_use',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.String(length=200), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_article_use_agent_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_article_use_article_id_article'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_article_use_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_use')),
    sa.UniqueConstraint('article_id', 'ticket_id', name=op.f('uq_article_use_article_id_ticket_id'))
    )
    with op.batch_alter_table('article_use', schema=None) as batch_op:
        batch_op.create_index('ix_article_use_created', ['created_at'], unique=False)
        batch_op.create_index('ix_article_use_ticket', ['ticket_id'], unique=False)

    op.create_table('article_impact',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('until', sa.Date(), nullable=False),
    sa.Column('contacts', sa.Integer(), nullable=False),
    sa.Column('fcr', sa.Float(), nullable=True),
    sa.Column('baseline_fcr', sa.Float(), nullable=True),
    sa.Column('fcr_lift', sa.Float(), nullable=True),
    sa.Column('fcr_lift_low', sa.Float(), nullable=True),
    sa.Column('fcr_lift_high', sa.Float(), nullable=True),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('review_requested_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_article_impact_article_id_article'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', name=op.f('pk_article_impact'))
    )
    with op.batch_alter_table('article_impact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_impact_verdict'), ['verdict'], unique=False)


def downgrade():
    with op.batch_alter_table('article_impact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_impact_verdict'))
    op.drop_table('article_impact')
    with op.batch_alter_table('article_use', schema=None) as batch_op:
        batch_op.drop_index('ix_article_use_ticket')
        batch_op.drop_index('ix_article_use_created')
    op.drop_table('article_use')
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_column('impact_lift')
