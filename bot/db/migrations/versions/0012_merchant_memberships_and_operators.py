"""merchant memberships, operators and the session's shop

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04

A console user may run several shops (issue #14): `merchant_memberships` lists the shops
besides their own (`merchant_users.shop_id`, kept as the shop they start in), a session
remembers the shop it is acting on (`merchant_sessions.shop_id`, NULL: the user's own), and an
operator (`merchant_users.is_operator`) runs every shop and may create shops. Existing users
keep exactly their one shop, and none is an operator.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "merchant_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["merchant_users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "shop_id"),
    )
    op.create_index(
        op.f("ix_merchant_memberships_shop_id"), "merchant_memberships", ["shop_id"], unique=False
    )
    with op.batch_alter_table("merchant_users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_operator", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # A plain column, no foreign key: on SQLite a constraint would rebuild the table. A session
    # whose shop is gone, or no longer the user's, falls back to the user's own shop.
    with op.batch_alter_table("merchant_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shop_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("merchant_sessions", schema=None) as batch_op:
        batch_op.drop_column("shop_id")
    with op.batch_alter_table("merchant_users", schema=None) as batch_op:
        batch_op.drop_column("is_operator")
    op.drop_index(op.f("ix_merchant_memberships_shop_id"), table_name="merchant_memberships")
    op.drop_table("merchant_memberships")
