"""article images

Images pasted or dropped into the editor, re-encoded and stored under the uploads folder by the
hash of their content; each row says who uploaded one and which article it belongs to.

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-04 22:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('article_image',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=80), nullable=False),
    sa.Column('uploader_id', sa.Integer(), nullable=True),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('mime', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_article_image_article_id_article'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], name=op.f('fk_article_image_uploader_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_image'))
    )
    with op.batch_alter_table('article_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_image_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_article_image_storage_key'), ['storage_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_article_image_uploader_id'), ['uploader_id'], unique=False)


def downgrade():
    op.drop_table('article_image')
