"""customer opt-out and erasure

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

A shopper's STOP (`opted_out_at`) and the erasure of their personal data (`erased_at`), both
on the customer row (issue #13, privacy). Existing customers are opted in and not erased.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
        batch_op.drop_column("opted_out_at")
