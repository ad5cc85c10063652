"""meta catalog links and items, product image url

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta_catalog_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("catalog_id", sa.String(length=64), nullable=False),
        sa.Column("sync_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_meta_catalog_links_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meta_catalog_links")),
    )
    with op.batch_alter_table("meta_catalog_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meta_catalog_links_shop_id"), ["shop_id"], unique=True)

    op.create_table(
        "meta_catalog_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("retailer_id", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_meta_catalog_items_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meta_catalog_items")),
        sa.UniqueConstraint("shop_id", "retailer_id", name=op.f("uq_meta_catalog_items_shop_id")),
    )
    with op.batch_alter_table("meta_catalog_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meta_catalog_items_shop_id"), ["shop_id"], unique=False
        )

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("image_url", sa.String(length=1000), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("image_url")

    with op.batch_alter_table("meta_catalog_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meta_catalog_items_shop_id"))
    op.drop_table("meta_catalog_items")

    with op.batch_alter_table("meta_catalog_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meta_catalog_links_shop_id"))
    op.drop_table("meta_catalog_links")
