"""review actions training examples and handoff events

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoff_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("outgoing_id", sa.Integer(), nullable=True),
        sa.Column("merchant_user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('reply', 'release')", name=op.f("ck_handoff_events_kind_valid")
        ),
        sa.ForeignKeyConstraint(
            ["merchant_user_id"],
            ["merchant_users.id"],
            name=op.f("fk_handoff_events_merchant_user_id_merchant_users"),
        ),
        sa.ForeignKeyConstraint(
            ["outgoing_id"],
            ["whatsapp_outgoing.id"],
            name=op.f("fk_handoff_events_outgoing_id_whatsapp_outgoing"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_handoff_events_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_events")),
    )
    with op.batch_alter_table("handoff_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handoff_events_merchant_user_id"), ["merchant_user_id"], unique=False
        )
        batch_op.create_index(
            "ix_handoff_events_shop_id_conversation_id",
            ["shop_id", "conversation_id"],
            unique=False,
        )

    op.create_table(
        "review_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("normalized", sa.Text(), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=True),
        sa.Column("intent", sa.String(length=100), nullable=True),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("alias_id", sa.Integer(), nullable=True),
        sa.Column("merchant_user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('map_product', 'label_intent', 'out_of_scope', 'dismiss')",
            name=op.f("ck_review_actions_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["alias_id"],
            ["product_aliases.id"],
            name=op.f("fk_review_actions_alias_id_product_aliases"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["merchant_user_id"],
            ["merchant_users.id"],
            name=op.f("fk_review_actions_merchant_user_id_merchant_users"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_review_actions_product_id_products"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_review_actions_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["undone_by"],
            ["merchant_users.id"],
            name=op.f("fk_review_actions_undone_by_merchant_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_actions")),
    )
    with op.batch_alter_table("review_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_actions_merchant_user_id"), ["merchant_user_id"], unique=False
        )
        batch_op.create_index(
            "ix_review_actions_shop_id_created_at", ["shop_id", "created_at"], unique=False
        )

    op.create_table(
        "review_action_items",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["review_actions.id"],
            name=op.f("fk_review_action_items_action_id_review_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["review_items.id"],
            name=op.f("fk_review_action_items_item_id_review_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("action_id", "item_id", name=op.f("pk_review_action_items")),
    )
    with op.batch_alter_table("review_action_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_action_items_item_id"), ["item_id"], unique=False
        )

    op.create_table(
        "training_examples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("normalized", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("intent", sa.String(length=100), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["review_actions.id"],
            name=op.f("fk_training_examples_action_id_review_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["merchant_users.id"],
            name=op.f("fk_training_examples_created_by_merchant_users"),
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_training_examples_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_examples")),
        sa.UniqueConstraint("shop_id", "digest", name=op.f("uq_training_examples_shop_id")),
    )
    with op.batch_alter_table("training_examples", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_examples_action_id"), ["action_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_training_examples_shop_id"), ["shop_id"], unique=False)

    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.create_index("ix_review_items_shop_id_status", ["shop_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_index("ix_review_items_shop_id_status")

    with op.batch_alter_table("training_examples", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_examples_shop_id"))
        batch_op.drop_index(batch_op.f("ix_training_examples_action_id"))

    op.drop_table("training_examples")
    with op.batch_alter_table("review_action_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_action_items_item_id"))

    op.drop_table("review_action_items")
    with op.batch_alter_table("review_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_review_actions_shop_id_created_at")
        batch_op.drop_index(batch_op.f("ix_review_actions_merchant_user_id"))

    op.drop_table("review_actions")
    with op.batch_alter_table("handoff_events", schema=None) as batch_op:
        batch_op.drop_index("ix_handoff_events_shop_id_conversation_id")
        batch_op.drop_index(batch_op.f("ix_handoff_events_merchant_user_id"))

    op.drop_table("handoff_events")
