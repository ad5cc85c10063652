"""whatsapp inbox, outgoing messages and statuses

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "whatsapp_inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("wa_id", sa.String(length=64), nullable=False),
        sa.Column("phone_number_id", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.String(length=60), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("forwarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('message', 'status', 'payment')", name=op.f("ck_whatsapp_inbox_kind_valid")
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'forwarding', 'replied', 'done', 'failed')",
            name=op.f("ck_whatsapp_inbox_state_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_inbox")),
        sa.UniqueConstraint("key", name=op.f("uq_whatsapp_inbox_key")),
    )
    with op.batch_alter_table("whatsapp_inbox", schema=None) as batch_op:
        batch_op.create_index("ix_whatsapp_inbox_state_id", ["state", "id"], unique=False)
        batch_op.create_index("ix_whatsapp_inbox_wa_id_state", ["wa_id", "state"], unique=False)

    op.create_table(
        "whatsapp_outgoing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inbox_id", sa.Integer(), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("wa_id", sa.String(length=64), nullable=False),
        sa.Column("phone_number_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("wamid", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'sent', 'failed')", name=op.f("ck_whatsapp_outgoing_state_valid")
        ),
        sa.ForeignKeyConstraint(
            ["inbox_id"],
            ["whatsapp_inbox.id"],
            name=op.f("fk_whatsapp_outgoing_inbox_id_whatsapp_inbox"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox_messages.id"],
            name=op.f("fk_whatsapp_outgoing_outbox_id_outbox_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_outgoing")),
        sa.UniqueConstraint("outbox_id", name=op.f("uq_whatsapp_outgoing_outbox_id")),
        sa.UniqueConstraint("wamid", name=op.f("uq_whatsapp_outgoing_wamid")),
    )
    with op.batch_alter_table("whatsapp_outgoing", schema=None) as batch_op:
        batch_op.create_index(
            "ix_whatsapp_outgoing_inbox_id_seq", ["inbox_id", "seq"], unique=False
        )
        batch_op.create_index("ix_whatsapp_outgoing_wa_id_id", ["wa_id", "id"], unique=False)

    op.create_table(
        "whatsapp_statuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wamid", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("recipient_id", sa.String(length=64), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=True),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("outgoing_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outgoing_id"],
            ["whatsapp_outgoing.id"],
            name=op.f("fk_whatsapp_statuses_outgoing_id_whatsapp_outgoing"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_statuses")),
        sa.UniqueConstraint("wamid", "status", name=op.f("uq_whatsapp_statuses_wamid")),
    )
    with op.batch_alter_table("whatsapp_statuses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_whatsapp_statuses_outgoing_id"), ["outgoing_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_whatsapp_statuses_wamid"), ["wamid"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("whatsapp_statuses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_whatsapp_statuses_wamid"))
        batch_op.drop_index(batch_op.f("ix_whatsapp_statuses_outgoing_id"))

    op.drop_table("whatsapp_statuses")
    with op.batch_alter_table("whatsapp_outgoing", schema=None) as batch_op:
        batch_op.drop_index("ix_whatsapp_outgoing_wa_id_id")
        batch_op.drop_index("ix_whatsapp_outgoing_inbox_id_seq")

    op.drop_table("whatsapp_outgoing")
    with op.batch_alter_table("whatsapp_inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_whatsapp_inbox_wa_id_state")
        batch_op.drop_index("ix_whatsapp_inbox_state_id")

    op.drop_table("whatsapp_inbox")
