"""the PostgreSQL search backend's tables: documents as tsvectors, and the words they hold

KNOWHOW_SEARCH_BACKEND=postgres keeps the search index in these tables (search/pg_engine.py).
On PostgreSQL this installs pg_trgm (CREATE EXTENSION IF NOT EXISTS: into the current schema
unless it is installed already) and builds the GIN indexes; the trigram operator class is named
with pg_trgm's own schema, which need not be on the search path. On SQLite the tables are made
with plain types and indexes and stay empty: one schema serves both databases.

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-10 10:00:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    on_postgres = op.get_bind().dialect.name == "postgresql"
    words_type = postgresql.ARRAY(sa.Text()) if on_postgres else sa.JSON()
    op.create_table('search_document',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('boost', sa.Double(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('content', postgresql.TSVECTOR() if on_postgres else sa.Text(), nullable=False),
    sa.Column('words', words_type, nullable=False),
    sa.Column('prefixes', words_type, nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_search_document'))
    )
    op.create_index('ix_search_document_content', 'search_document', ['content'], unique=False,
                    postgresql_using='gin')
    op.create_index('ix_search_document_prefixes', 'search_document', ['prefixes'], unique=False,
                    postgresql_using='gin')
    op.create_index('ix_search_document_seq', 'search_document', ['seq'], unique=False)
    op.create_table('search_term',
    sa.Column('term', sa.Text(), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('term', name=op.f('pk_search_term'))
    )
    if on_postgres:
        connection = op.get_bind()
        connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema = connection.exec_driver_sql(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'").scalar_one()
        op.create_index('ix_search_term_trigram', 'search_term', ['term'], unique=False, postgresql_using='gin',
                        postgresql_ops={'term': '"%s".gin_trgm_ops' % schema.replace('"', '""')})
    else:
        op.create_index('ix_search_term_trigram', 'search_term', ['term'], unique=False)


def downgrade():
    op.drop_index('ix_search_term_trigram', table_name='search_term')
    op.drop_table('search_term')
    op.drop_index('ix_search_document_seq', table_name='search_document')
    op.drop_index('ix_search_document_prefixes', table_name='search_document')
    op.drop_index('ix_search_document_content', table_name='search_document')
    op.drop_table('search_document')
