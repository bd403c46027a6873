"""following levels

Each person's level (watching, normal, muted) on a category, tag, article or question.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 22:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'follow',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('target_kind', sa.String(length=16), nullable=False),
        sa.Column('target_key', sa.String(length=100), nullable=False),
        sa.Column('level', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_follow_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_follow')),
        sa.UniqueConstraint('user_id', 'target_kind', 'target_key', name='uq_follow_user_target'),
    )
    op.create_index('ix_follow_target', 'follow', ['target_kind', 'target_key', 'level'], unique=False)


def downgrade():
    op.drop_index('ix_follow_target', table_name='follow')
    op.drop_table('follow')
