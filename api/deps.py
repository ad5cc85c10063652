"""FastAPI dependencies: settings, database sessions, the shop, and API-key authentication."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Security
from fastapi.security import APIKeyHeader
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import ProblemError
from bot.db.models import Shop
from bot.db.session import session_scope
from bot.merchants.keys import ApiKeyInfo, authenticate
from bot.settings import Settings, get_settings


def get_session() -> Iterator[Session]:
    with session_scope() as session:
        yield session


def get_write_session() -> Iterator[Session]:
    """A session for a route that writes. It takes no lock here: the `bot/` service it calls
    takes SQLite's write lock (`begin_write`) when it starts. Taking it here, before the API
    key is checked in a second connection, would let a request hold the lock while it waits for
    a pooled connection that the requests queued behind the lock are holding."""
    with session_scope() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
WriteSessionDep = Annotated[Session, Depends(get_write_session)]

api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="ApiKey",
    description="A key made with `chatcart merchant create-key`; merchant keys may do "
    "everything in their shop, channel keys only what shoppers do.",
)


def _key(key: str | None) -> ApiKeyInfo:
    with session_scope() as session:  # its own short read, whatever session the route uses
        info = authenticate(session, key or "")
    if info is None:
        raise ProblemError(
            401,
            "unauthenticated",
            "Unauthorized",
            "send a valid API key in the X-API-Key header",
            headers={"WWW-Authenticate": 'ApiKey header="X-API-Key"'},
        )
    return info


def shopper_api(key: Annotated[str | None, Security(api_key_header)]) -> ApiKeyInfo:
    """Carts and orders on behalf of shoppers: a channel's key or a merchant's."""
    return _key(key)


def merchant_api(key: Annotated[str | None, Security(api_key_header)]) -> ApiKeyInfo:
    info = _key(key)
    if info.scope != "merchant":
        raise ProblemError(403, "forbidden", "Forbidden", "this endpoint needs a merchant key")
    return info


ShopperKey = Annotated[ApiKeyInfo, Depends(shopper_api)]
MerchantKey = Annotated[ApiKeyInfo, Depends(merchant_api)]


def public_shop(
    session: SessionDep,
    settings: SettingsDep,
    shop: Annotated[
        str | None,
        Query(
            description="Shop slug; the default shop when left out",
            max_length=64,
            pattern=r"^[a-z0-9-]+$",
        ),
    ] = None,
) -> Shop:
    slug = shop or settings.default_shop_slug
    row = session.scalar(select(Shop).where(Shop.slug == slug))
    if row is None:
        raise ProblemError(404, "shop-not-found", "Not Found", f"no shop {slug!r}")
    return row


PublicShop = Annotated[Shop, Depends(public_shop)]
