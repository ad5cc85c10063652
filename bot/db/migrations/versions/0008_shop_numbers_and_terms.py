"""shop whatsapp numbers, credentials, checkout terms and hours

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

Every row already belongs to a shop, so a one-shop database keeps all of them in the default
shop; that shop takes the platform's WhatsApp number (`WHATSAPP_PHONE_NUMBER_ID`), the number
its webhooks have named all along, so its shoppers are routed to it as before. Terms left NULL
are the platform's settings: the default shop charges what it charged yesterday.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.settings import get_settings

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone_number_id", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column(
                "display_phone_number", sa.String(length=32), server_default="", nullable=False
            )
        )
        batch_op.add_column(sa.Column("access_token", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("app_secret", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("delivery_fee_paise", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("free_delivery_from_paise", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("minimum_order_paise", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("opens_at_hour", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("closes_at_hour", sa.Integer(), nullable=True))
    # An index, not a constraint: on SQLite a constraint rebuilds `shops`, and dropping the old
    # table would cascade (ON DELETE CASCADE) to every customer, cart and order of the shop.
    op.create_index(op.f("ix_shops_phone_number_id"), "shops", ["phone_number_id"], unique=True)
    settings = get_settings()
    shops = sa.table("shops", sa.column("slug", sa.String), sa.column("phone_number_id", sa.String))
    op.execute(
        shops.update()
        .where(shops.c.slug == settings.default_shop_slug)
        .values(phone_number_id=settings.whatsapp_phone_number_id)
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_shops_phone_number_id"), table_name="shops")
    with op.batch_alter_table("shops", schema=None) as batch_op:
        for column in (
            "closes_at_hour",
            "opens_at_hour",
            "minimum_order_paise",
            "free_delivery_from_paise",
            "delivery_fee_paise",
            "app_secret",
            "access_token",
            "display_phone_number",
            "phone_number_id",
        ):
            batch_op.drop_column(column)
