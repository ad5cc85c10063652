"""`chatcart merchant create|grant|password|create-key|revoke-key|expire-unpaid`: console users, API keys
and order housekeeping."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select

from bot.catalog.store import ensure_shop
from bot.db.models import MerchantUser
from bot.db.session import session_scope
from bot.merchants.keys import Scope, create_key, revoke
from bot.merchants.users import UserError, create_user, grant, set_password, shops_of
from bot.orders.service import expire_unpaid
from bot.settings import get_settings
from bot.shops.directory import by_slug

app = typer.Typer(
    help="Merchant console users, API keys and order housekeeping.", no_args_is_help=True
)


def _password(given: str | None) -> str:
    return (
        given
        if given is not None
        else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )


@app.command("create")
def create_command(
    username: Annotated[str, typer.Argument(help="Login name for the console.")],
    password: Annotated[
        str | None,
        typer.Option(
            envvar="CHATCART_MERCHANT_PASSWORD",
            help="Asked for (hidden) when left out; at least 10 characters.",
        ),
    ] = None,
    name: Annotated[str, typer.Option(help="Name shown in the console.")] = "",
    shop: Annotated[
        str | None, typer.Option(help="Shop slug; the default shop when left out.")
    ] = None,
    operator: Annotated[
        bool, typer.Option(help="An operator: runs every shop and creates shops in the console.")
    ] = False,
) -> None:
    """Make a merchant user who can log in to the console at /merchant."""
    settings = get_settings()
    secret = _password(password)
    with session_scope(write=True) as s:
        row = ensure_shop(
            s,
            shop or settings.default_shop_slug,
            settings.default_shop_name if shop is None else shop,
        )
        try:
            user = create_user(s, row.id, username, secret, name, operator=operator)
        except UserError as exc:
            raise typer.BadParameter(str(exc)) from None
        typer.echo(
            f"merchant user {user.username!r} (#{user.id}) for shop {row.slug!r}: "
            f"log in at {settings.public_base_url.rstrip('/')}/merchant"
        )


@app.command("grant")
def grant_command(
    username: Annotated[str, typer.Argument(help="A console user.")],
    shop: Annotated[str, typer.Argument(help="The slug of another shop they will run.")],
) -> None:
    """Let a merchant run another shop too: the console then shows them a shop switcher."""
    with session_scope(write=True) as s:
        user = s.scalar(select(MerchantUser).where(MerchantUser.username == username.lower()))
        row = by_slug(s, shop)
        if user is None or row is None:
            raise typer.BadParameter(f"no user {username!r}" if user is None else f"no shop {shop}")
        grant(s, user, row.id)
        typer.echo(f"{user.username!r} runs {', '.join(x.slug for x in shops_of(s, user))}")


@app.command("password")
def password_command(
    username: Annotated[str, typer.Argument(help="The console user.")],
    password: Annotated[str | None, typer.Option(envvar="CHATCART_MERCHANT_PASSWORD")] = None,
) -> None:
    """Set a new password (also lifts a lockout and ends the user's sessions)."""
    from sqlalchemy import select

    from bot.db.models import MerchantUser

    secret = _password(password)
    with session_scope(write=True) as s:
        user = s.scalar(
            select(MerchantUser).where(MerchantUser.username == username.strip().lower())
        )
        if user is None:
            raise typer.BadParameter(f"no merchant user {username!r}")
        try:
            set_password(s, user, secret)
        except UserError as exc:
            raise typer.BadParameter(str(exc)) from None
    typer.echo(f"password changed for {username!r}; their sessions are closed")


@app.command("create-key")
def create_key_command(
    name: Annotated[str, typer.Argument(help='Who or what uses the key ("owner", "whatsapp").')],
    scope: Annotated[
        str, typer.Option(help="merchant (everything) or channel (shopper actions)")
    ] = "merchant",
) -> None:
    """Make an API key for the default shop. It is printed once: only its hash is stored."""
    match scope:
        case "merchant" | "channel":
            chosen: Scope = scope
        case _:
            raise typer.BadParameter("scope is merchant or channel")
    settings = get_settings()
    with session_scope(write=True) as s:
        shop = ensure_shop(s, settings.default_shop_slug, settings.default_shop_name)
        key, info = create_key(s, shop.id, name, chosen)
    typer.echo(f"key #{info.id} ({info.scope}) for {name}; send it as X-API-Key:")
    typer.echo(key)


@app.command("revoke-key")
def revoke_key_command(
    key_id: Annotated[int, typer.Argument(help="The number create-key printed.")],
) -> None:
    """Stop accepting a key."""
    with session_scope(write=True) as s:
        revoke(s, key_id)
    typer.echo(f"key #{key_id} revoked")


@app.command("expire-unpaid")
def expire_unpaid_command() -> None:
    """Cancel UPI orders left unpaid past PAYMENT_TIMEOUT_MINUTES (the API also does this)."""
    with session_scope(write=True) as s:
        done = expire_unpaid(s)
    typer.echo(f"{len(done)} unpaid orders cancelled" + (f": {done}" if done else ""))
