"""The keyed hash an erased shopper's number becomes.

Orders must outlive an erasure (GST records, refunds, disputes), and they must still be one
customer's: the number is replaced by HMAC-SHA256 under `PRIVACY_HASH_SECRET`. Keyed, because a
plain hash of a ten-digit number is undone by hashing every number; with the key the shop can
still answer "was this number my customer?" for a dispute by hashing the number again.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "erased-"  # never a WhatsApp id (digits only): an erased customer is plain to see
DIGITS = 56  # 224 bits; with the prefix the 63 characters fit every wa_id column (64)


def pseudonym(wa_id: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), wa_id.encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest[:DIGITS]


def is_pseudonym(wa_id: str) -> bool:
    return wa_id.startswith(PREFIX)
