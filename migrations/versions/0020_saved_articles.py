"""saved articles: the bookmarks each reader keeps

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-04 22:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('saved_article',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_saved_article_article_id_article'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_saved_article_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_article')),
    sa.UniqueConstraint('user_id', 'article_id', name=op.f('uq_saved_article_user_id_article_id'))
    )
    with op.batch_alter_table('saved_article', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_article_article_id'), ['article_id'], unique=False)
        batch_op.create_index('ix_saved_article_user_created', ['user_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('saved_article', schema=None) as batch_op:
        batch_op.drop_index('ix_saved_article_user_created')
        batch_op.drop_index(batch_op.f('ix_saved_article_article_id'))
    op.drop_table('saved_article')
