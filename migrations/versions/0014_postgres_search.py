"""the PostgreSQL search backend's tables: documents, postings, word counts and totals

KNOWHOW_SEARCH_BACKEND=postgres keeps the search index in these tables (search/pg_engine.py).
On PostgreSQL this installs pg_trgm (CREATE EXTENSION IF NOT EXISTS: into the current schema
unless it is installed already) and builds the GIN indexes; the trigram operator class is named
with pg_trgm's own schema, which need not be on the search path. On SQLite the tables are made
with plain types and indexes and stay empty: one schema serves both databases.

Revision ID: 0014
Revises: 0016
Create Date: 2026-12-10 10:00:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    on_postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table('search_document',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('doc', sa.BigInteger(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('boost', sa.Double(), nullable=False),
    sa.Column('content', postgresql.TSVECTOR() if on_postgres else sa.Text(), nullable=False),
    sa.Column('words', postgresql.ARRAY(sa.Text()) if on_postgres else sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_search_document'))
    )
    op.create_index('ix_search_document_content', 'search_document', ['content'], unique=False,
                    postgresql_using='gin')
    op.create_index('ix_search_document_doc', 'search_document', ['doc'], unique=True)
    op.create_table('search_posting',
    sa.Column('field', sa.String(length=1), nullable=False),
    sa.Column('term', sa.Text(), nullable=False),
    sa.Column('doc', sa.BigInteger(), nullable=False),
    sa.Column('weight', sa.REAL(), nullable=False),
    sa.Column('length', sa.REAL(), nullable=False),
    sa.Column('factor', sa.REAL(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False)
    )
    op.create_index('ix_search_posting_term', 'search_posting', ['field', 'term', 'doc'], unique=True,
                    postgresql_include=['weight', 'length', 'factor', 'type', 'category', 'lang'])
    op.create_index('ix_search_posting_doc', 'search_posting', ['doc'], unique=False)
    if on_postgres:  # the planner's estimates for common terms (search/models.py)
        op.execute("ALTER TABLE search_posting ALTER COLUMN term SET STATISTICS 2000")
    op.create_table('search_term',
    sa.Column('field', sa.String(length=1), nullable=False),
    sa.Column('term', sa.Text(), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('field', 'term', name=op.f('pk_search_term'))
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
    op.create_table('search_stat',
    sa.Column('name', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_search_stat'))
    )


def downgrade():
    op.drop_table('search_stat')
    op.drop_index('ix_search_term_trigram', table_name='search_term')
    op.drop_table('search_term')
    op.drop_index('ix_search_posting_doc', table_name='search_posting')
    op.drop_index('ix_search_posting_term', table_name='search_posting')
    op.drop_table('search_posting')
    op.drop_index('ix_search_document_doc', table_name='search_document')
    op.drop_index('ix_search_document_content', table_name='search_document')
    op.drop_table('search_document')
