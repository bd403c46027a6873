"""linked translations of articles

An article belongs to a translation group (the same how-to in en, fa, ar and th), records the
article and revision it was translated from, and when that original changed since; the PostgreSQL
search index keeps each document's group, so that search shows one result per group.

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-04 22:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translation_group_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('translated_from_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('translated_from_revision', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('translation_outdated_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_article_translation_group_id'), ['translation_group_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_article_translated_from_id_article'), 'article',
                                    ['translated_from_id'], ['id'], ondelete='SET NULL')
    # A plain ALTER TABLE: search_document is derived data, and holds many rows on PostgreSQL.
    op.add_column('search_document', sa.Column('group_key', sa.String(length=40), nullable=True))
    op.create_index('ix_search_document_grouped', 'search_document', ['doc', 'group_key'], unique=False,
                    postgresql_where=sa.text('group_key IS NOT NULL'),
                    sqlite_where=sa.text('group_key IS NOT NULL'))


def downgrade():
    op.drop_index('ix_search_document_grouped', table_name='search_document')
    op.drop_column('search_document', 'group_key')
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_article_translated_from_id_article'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_article_translation_group_id'))
        batch_op.drop_column('translation_outdated_at')
        batch_op.drop_column('translated_from_revision')
        batch_op.drop_column('translated_from_id')
        batch_op.drop_column('translation_group_id')
