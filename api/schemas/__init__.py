"""Request and response bodies of the REST API (Pydantic), built from `bot/`'s records."""

from __future__ import annotations

# Text a person typed: anything but control characters (PostgreSQL cannot even store NUL).
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
# One token (a SKU): no control characters, no spaces at the ends.
TOKEN = r"^[^\x00-\x20\x7f](?:[^\x00-\x1f\x7f]*[^\x00-\x20\x7f])?$"
