"""merchant users and console sessions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "merchant_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_merchant_users_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchant_users")),
        sa.UniqueConstraint("username", name=op.f("uq_merchant_users_username")),
    )
    with op.batch_alter_table("merchant_users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_merchant_users_shop_id"), ["shop_id"], unique=False)

    op.create_table(
        "merchant_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["merchant_users.id"],
            name=op.f("fk_merchant_sessions_user_id_merchant_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchant_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_merchant_sessions_token_hash")),
    )
    with op.batch_alter_table("merchant_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_merchant_sessions_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("merchant_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_merchant_sessions_user_id"))
    op.drop_table("merchant_sessions")
    with op.batch_alter_table("merchant_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_merchant_users_shop_id"))
    op.drop_table("merchant_users")
