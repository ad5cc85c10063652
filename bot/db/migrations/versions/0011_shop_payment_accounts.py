"""shop payment accounts

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

A shop may take payments on an account of its own (issue #14): its provider (`sandbox` or
`razorpay`), key id, key secret and webhook secret. NULL: the platform's account
(`PAYMENT_PROVIDER` and its secrets), which is what every shop of an older database keeps.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payment_provider", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("payment_key_id", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("payment_key_secret", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("payment_webhook_secret", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.drop_column("payment_webhook_secret")
        batch_op.drop_column("payment_key_secret")
        batch_op.drop_column("payment_key_id")
        batch_op.drop_column("payment_provider")
