"""shop delivery localities

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

The places a shop delivers to by the names shoppers use ("Andheri East", "Marol"), each with
its PIN codes, so "do you deliver to Marol?" is answered yes or no like a PIN code is (issue
#14). Kept as `name=PIN PIN` lines beside `delivery_pincodes`; existing shops name none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("delivery_localities", sa.Text(), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.drop_column("delivery_localities")
