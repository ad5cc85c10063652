"""shop faqs and delivery area

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shop_faqs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answer_hi", sa.Text(), nullable=False),
        sa.Column("answer_hinglish", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_shop_faqs_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_faqs")),
    )
    with op.batch_alter_table("shop_faqs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shop_faqs_shop_id"), ["shop_id"], unique=False)

    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("delivery_pincodes", sa.Text(), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.drop_column("delivery_pincodes")

    with op.batch_alter_table("shop_faqs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shop_faqs_shop_id"))

    op.drop_table("shop_faqs")
