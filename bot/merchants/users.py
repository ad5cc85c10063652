"""Merchant users of the console: Argon2id password hashes, lockout, and cookie sessions.

The session cookie carries 32 random bytes; the database keeps their SHA-256 (random tokens
need no slow hash), so a leaked database cannot be replayed as logins. Each session has its own
CSRF token, compared in constant time on every form post.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.db.base import as_utc, utcnow
from bot.db.models import MerchantMembership, MerchantSession, MerchantUser, Shop

_hasher = PasswordHasher()
# Verified against when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password anyone has")
MIN_PASSWORD_LENGTH = 10


class UserError(ValueError):
    """A user that cannot be made as asked (taken name, weak password)."""


@dataclass(frozen=True, slots=True)
class ShopChoice:
    id: int
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is behind a console request, and the shop they act on: the one their session
    switched to, if they still run it, else their own. Every page reads `shop_id` only."""

    user_id: int
    shop_id: int
    shop_name: str
    username: str
    display_name: str
    session_id: int
    csrf_token: str
    shops: tuple[ShopChoice, ...] = ()  # every shop they run, for the switcher
    is_operator: bool = False


@dataclass(frozen=True, slots=True)
class LoginResult:
    token: str | None = None
    principal: Principal | None = None
    locked_until: datetime | None = None


def create_user(
    session: Session,
    shop_id: int,
    username: str,
    password: str,
    display_name: str = "",
    *,
    operator: bool = False,
) -> MerchantUser:
    username = username.strip().lower()
    if not username or len(username) > 100:
        raise UserError("a username is 1 to 100 characters")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalar(select(MerchantUser.id).where(MerchantUser.username == username)):
        raise UserError(f"the username {username!r} is taken")
    user = MerchantUser(
        shop_id=shop_id,
        username=username,
        display_name=display_name or username,
        password_hash=_hasher.hash(password),
        is_operator=operator,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: MerchantUser, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = _hasher.hash(password)
    user.failed_logins, user.locked_until = 0, None
    session.execute(
        update(MerchantSession)
        .where(MerchantSession.user_id == user.id, MerchantSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def log_in(
    session: Session,
    username: str,
    password: str,
    *,
    max_failures: int | None,
    lockout: timedelta,
    lifetime: timedelta,
) -> LoginResult:
    """Check a password and open a session. A locked account is refused even with the right
    password, so guessing on after the lockout learns nothing. `max_failures=None`: never
    locked here, the caller slows guessing down (the console does, per client and browser)."""
    now = utcnow()
    user = session.scalar(
        select(MerchantUser)
        .where(MerchantUser.username == username.strip().lower())
        .with_for_update()
    )
    if user is None or user.disabled_at is not None:
        _verify(_DUMMY_HASH, password)
        return LoginResult()
    locks = max_failures is not None
    if locks and user.locked_until is not None and as_utc(user.locked_until) > now:
        return LoginResult(locked_until=as_utc(user.locked_until))
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        if max_failures is not None and user.failed_logins >= max_failures:
            user.failed_logins, user.locked_until = 0, now + lockout
            return LoginResult(locked_until=user.locked_until)
        return LoginResult()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    token = secrets.token_urlsafe(32)
    row = MerchantSession(
        user_id=user.id,
        token_hash=_digest(token),
        csrf_token=secrets.token_urlsafe(32),
        expires_at=now + lifetime,
    )
    session.add(row)
    session.flush()
    return LoginResult(token=token, principal=_principal(session, user, row))


def resolve(session: Session, token: str) -> Principal | None:
    """The principal behind a session cookie, or None when it is unknown, expired or revoked."""
    if not token:
        return None
    row = session.scalar(
        select(MerchantSession).where(MerchantSession.token_hash == _digest(token))
    )
    if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= utcnow():
        return None
    user = session.get(MerchantUser, row.user_id)
    if user is None or user.disabled_at is not None:
        return None
    return _principal(session, user, row)


def log_out(session: Session, token: str) -> None:
    session.execute(
        update(MerchantSession)
        .where(MerchantSession.token_hash == _digest(token), MerchantSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def csrf_matches(principal: Principal, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(principal.csrf_token.encode(), (sent or "").encode())


def shops_of(session: Session, user: MerchantUser) -> list[Shop]:
    """The shops `user` runs: an operator every shop, a merchant their own and their
    memberships'."""
    query = select(Shop).order_by(Shop.id)
    if not user.is_operator:
        member = select(MerchantMembership.shop_id).where(MerchantMembership.user_id == user.id)
        query = query.where(or_(Shop.id == user.shop_id, Shop.id.in_(member)))
    return list(session.scalars(query))


def grant(session: Session, user: MerchantUser, shop_id: int) -> None:
    """Let `user` run `shop_id` too (nothing to do if they already do)."""
    if shop_id == user.shop_id or session.scalar(
        select(MerchantMembership.id).where(
            MerchantMembership.user_id == user.id, MerchantMembership.shop_id == shop_id
        )
    ):
        return
    session.add(MerchantMembership(user_id=user.id, shop_id=shop_id))
    session.flush()


def switch_shop(session: Session, principal: Principal, shop_id: int) -> bool:
    """Make the principal's session act on `shop_id`; False (nothing changed) when they do not
    run it — the same answer whether the shop exists or not."""
    if shop_id not in {s.id for s in principal.shops}:
        return False
    row = session.get(MerchantSession, principal.session_id)
    if row is None:
        return False
    row.shop_id = shop_id
    session.flush()
    return True


def _principal(session: Session, user: MerchantUser, row: MerchantSession) -> Principal:
    shops = shops_of(session, user)
    current = next((s for s in shops if s.id == row.shop_id), None) or next(
        (s for s in shops if s.id == user.shop_id), None
    )
    return Principal(
        user_id=user.id,
        shop_id=current.id if current else user.shop_id,
        shop_name=current.name if current else "",
        username=user.username,
        display_name=user.display_name or user.username,
        session_id=row.id,
        csrf_token=row.csrf_token,
        shops=tuple(ShopChoice(s.id, s.slug, s.name) for s in shops),
        is_operator=user.is_operator,
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
