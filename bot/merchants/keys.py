"""API keys for merchants and trusted channels.

A key is 32 random bytes, shown once when made; the database keeps its SHA-256 (a fast hash
is right for random keys: there is nothing to guess that a slow hash would protect). The
first characters are kept apart as a `prefix`, so a person can tell keys apart in a list.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import models as db

Scope = Literal["merchant", "channel"]
KEY_PREFIX = "cck_"


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    id: int
    shop_id: int
    name: str
    scope: Scope
    prefix: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    session: Session, shop_id: int, name: str, scope: Scope = "merchant"
) -> tuple[str, ApiKeyInfo]:
    """Make a key; returns the key itself (show it once, it cannot be recovered) and its record."""
    if scope not in ("merchant", "channel"):
        raise ValueError(f"unknown scope {scope!r}")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = db.ApiKey(
        shop_id=shop_id, name=name, scope=scope, prefix=key[:12], key_hash=hash_key(key)
    )
    session.add(row)
    session.flush()
    return key, ApiKeyInfo(row.id, shop_id, name, scope, row.prefix)


def authenticate(session: Session, key: str) -> ApiKeyInfo | None:
    """The key's record, or None for an unknown or revoked key."""
    if not key or len(key) > 200:
        return None
    row = session.scalar(select(db.ApiKey).where(db.ApiKey.key_hash == hash_key(key)))
    if row is None or row.revoked_at is not None:
        return None
    # The table's scope_valid CHECK admits only the Scope values.
    return ApiKeyInfo(row.id, row.shop_id, row.name, cast(Scope, row.scope), row.prefix)


def revoke(session: Session, key_id: int) -> None:
    row = session.get(db.ApiKey, key_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
