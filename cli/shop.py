"""`chatcart shop` (create, update, list the deployment's shops), and the CLI's item engines:
the default shop's catalog from the database, or a catalog file."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.catalog.model import format_rupees
from bot.catalog.sources import CatalogFile, kind_aliases, read_bigbasket, read_shop_catalog
from bot.catalog.store import ensure_shop, load_catalog, shop_catalog
from bot.db.models import Product, Shop
from bot.db.session import session_scope
from bot.engine import ItemEngine
from bot.faq.store import set_delivery_area
from bot.settings import get_settings
from bot.shops import terms_of
from bot.shops.area import area_of_shop
from bot.shops.directory import (
    PAYMENT_FIELDS,
    TERM_FIELDS,
    InvalidShop,
    all_shops,
    by_slug,
    create_shop,
    sending_number,
    update_shop,
)


def read_catalog_file(path: Path, fmt: str) -> CatalogFile:
    if fmt == "bigbasket":
        seed = read_shop_catalog(get_settings().catalog_path)
        return read_bigbasket(path, kind_aliases(seed.products))
    if fmt == "shop":
        return read_shop_catalog(path)
    raise typer.BadParameter(f"unknown format {fmt!r}: use shop or bigbasket")


def engine_from_file(path: Path, fmt: str) -> ItemEngine:
    catalog = read_catalog_file(path, fmt)
    return ItemEngine(catalog.products, {c.slug: c.name for c in catalog.categories})


def engine_from_db() -> ItemEngine:
    """The default shop's catalog; on a fresh database the seed catalog is loaded first."""
    settings = get_settings()
    with session_scope() as s:
        shop = ensure_shop(s, settings.default_shop_slug, settings.default_shop_name)
        products, names = shop_catalog(s, shop.id)
        if not products:
            load_catalog(s, shop, read_shop_catalog(settings.catalog_path))
            products, names = shop_catalog(s, shop.id)
    return ItemEngine(products, names)


# `chatcart shop`: the shops of this deployment ------------------------------------------------

RESETTABLE = (*TERM_FIELDS, "access_token", "app_secret", "payment_provider")
app = typer.Typer(help="The shops on this deployment: make, change, list.", no_args_is_help=True)

NumberOption = Annotated[
    str | None, typer.Option(help="The shop's WhatsApp business number id (Meta's, digits).")
]
DisplayOption = Annotated[
    str | None, typer.Option(help="The number as shoppers see it, e.g. +91 98123 45678.")
]
CatalogOption = Annotated[
    Path | None,
    typer.Option(help="A catalog in the shop format (directory or CSV) to load into the shop."),
]
PincodesOption = Annotated[
    str | None,
    typer.Option(
        help="The PIN codes it delivers to, a file or a list: '400069 Andheri East, Chakala; "
        "400059 Marol' also names the places in them (a group a line or after ;)."
    ),
]
FeeOption = Annotated[int | None, typer.Option(help="Delivery fee in paise.", min=0)]
FreeOption = Annotated[
    int | None, typer.Option(help="Free delivery from this subtotal, in paise (0: never).", min=0)
]
MinimumOption = Annotated[int | None, typer.Option(help="Minimum order in paise.", min=0)]
OpensOption = Annotated[int | None, typer.Option(help="Opening hour, 0-23 (local).", min=0, max=23)]
ClosesOption = Annotated[
    int | None, typer.Option(help="Closing hour, 1-24 (local).", min=1, max=24)
]
TokenOption = Annotated[
    str | None,
    typer.Option(
        envvar="SHOP_ACCESS_TOKEN",
        help="The shop's own Graph API token, when its number is on a Meta app of its own.",
    ),
]
SecretOption = Annotated[
    str | None,
    typer.Option(envvar="SHOP_APP_SECRET", help="That app's secret (checks its webhooks)."),
]


ProviderOption = Annotated[
    str | None,
    typer.Option(
        help="A payment account of its own: sandbox or razorpay (default: the platform's)."
    ),
]
KeyIdOption = Annotated[
    str | None, typer.Option(envvar="SHOP_PAYMENT_KEY_ID", help="That account's key id.")
]
KeySecretOption = Annotated[
    str | None, typer.Option(envvar="SHOP_PAYMENT_KEY_SECRET", help="That account's key secret.")
]
WebhookSecretOption = Annotated[
    str | None,
    typer.Option(
        envvar="SHOP_PAYMENT_WEBHOOK_SECRET",
        help="That account's webhook secret; its webhooks go to "
        "/api/v1/payments/webhooks/<provider>/<slug>.",
    ),
]


def _changes(**given: str | int | None) -> dict[str, str | int | None]:
    return {k: v for k, v in given.items() if v is not None}


def _pincodes(value: str) -> str:
    """A file's text when `value` names a file, else `value` itself."""
    path = Path(value)
    return path.read_text("utf-8") if path.is_file() else value


def _apply(slug: str, catalog: Path | None, pincodes: str | None) -> str:
    """Load the catalog and set the area of the shop just made or changed; what was done."""
    done = []
    with session_scope(write=True) as s:
        shop = by_slug(s, slug)
        assert shop is not None
        if catalog is not None:
            result = load_catalog(s, shop, read_catalog_file(catalog, "shop"))
            done.append(f"{result.created} products added, {result.updated} changed")
        if pincodes is not None:
            area = set_delivery_area(s, shop.id, _pincodes(pincodes))
            done.append(f"delivers to {len(area)} PIN codes")
    return "; ".join(done)


def _refused(e: InvalidShop) -> typer.Exit:
    typer.echo(f"error: {e.detail}", err=True)
    return typer.Exit(2)


@app.command()
def create(
    slug: Annotated[str, typer.Argument(help="Lowercase letters, digits and -: the shop's id.")],
    name: Annotated[str, typer.Option(help="The shop's name, as shoppers read it.")],
    phone_number_id: NumberOption = None,
    display_phone_number: DisplayOption = None,
    catalog: CatalogOption = None,
    pincodes: PincodesOption = None,
    delivery_fee_paise: FeeOption = None,
    free_delivery_from_paise: FreeOption = None,
    minimum_order_paise: MinimumOption = None,
    opens_at_hour: OpensOption = None,
    closes_at_hour: ClosesOption = None,
    access_token: TokenOption = None,
    app_secret: SecretOption = None,
    payment_provider: ProviderOption = None,
    payment_key_id: KeyIdOption = None,
    payment_key_secret: KeySecretOption = None,
    payment_webhook_secret: WebhookSecretOption = None,
) -> None:
    """Make a shop. Terms not given are the platform's settings until `shop update` sets them."""
    try:
        with session_scope(write=True) as s:
            create_shop(
                s,
                slug,
                name,
                phone_number_id,
                **_changes(
                    display_phone_number=display_phone_number,
                    delivery_fee_paise=delivery_fee_paise,
                    free_delivery_from_paise=free_delivery_from_paise,
                    minimum_order_paise=minimum_order_paise,
                    opens_at_hour=opens_at_hour,
                    closes_at_hour=closes_at_hour,
                    access_token=access_token,
                    app_secret=app_secret,
                    payment_provider=payment_provider,
                    payment_key_id=payment_key_id,
                    payment_key_secret=payment_key_secret,
                    payment_webhook_secret=payment_webhook_secret,
                ),
            )
    except InvalidShop as e:
        raise _refused(e) from e
    done = _apply(slug, catalog, pincodes)
    typer.echo(f"shop {slug} made" + (f"; {done}" if done else ""))


@app.command()
def update(
    slug: Annotated[str, typer.Argument(help="The shop to change.")],
    name: Annotated[str | None, typer.Option(help="A new name.")] = None,
    phone_number_id: NumberOption = None,
    display_phone_number: DisplayOption = None,
    catalog: CatalogOption = None,
    pincodes: PincodesOption = None,
    delivery_fee_paise: FeeOption = None,
    free_delivery_from_paise: FreeOption = None,
    minimum_order_paise: MinimumOption = None,
    opens_at_hour: OpensOption = None,
    closes_at_hour: ClosesOption = None,
    access_token: TokenOption = None,
    app_secret: SecretOption = None,
    payment_provider: ProviderOption = None,
    payment_key_id: KeyIdOption = None,
    payment_key_secret: KeySecretOption = None,
    payment_webhook_secret: WebhookSecretOption = None,
    platform: Annotated[
        list[str] | None,
        typer.Option(
            help="Give this field back to the platform's setting (repeatable): "
            + ", ".join(RESETTABLE),
        ),
    ] = None,
) -> None:
    """Change what is given; everything else stays as it is."""
    changes = _changes(
        name=name,
        phone_number_id=phone_number_id,
        display_phone_number=display_phone_number,
        delivery_fee_paise=delivery_fee_paise,
        free_delivery_from_paise=free_delivery_from_paise,
        minimum_order_paise=minimum_order_paise,
        opens_at_hour=opens_at_hour,
        closes_at_hour=closes_at_hour,
        access_token=access_token,
        app_secret=app_secret,
        payment_provider=payment_provider,
        payment_key_id=payment_key_id,
        payment_key_secret=payment_key_secret,
        payment_webhook_secret=payment_webhook_secret,
    )
    for field in platform or []:
        if field not in RESETTABLE:
            raise _refused(InvalidShop(f"{field} has no platform setting to go back to"))
        # the payment account goes back whole: a provider without its secrets is refused
        for gone in PAYMENT_FIELDS if field == "payment_provider" else (field,):
            changes[gone] = None
    try:
        with session_scope(write=True) as s:
            update_shop(s, slug, **changes)
    except InvalidShop as e:
        raise _refused(e) from e
    done = _apply(slug, catalog, pincodes)
    typer.echo(f"shop {slug} updated" + (f"; {done}" if done else ""))


def _described(session: Session, shop: Shop) -> dict[str, Any]:
    """A shop as `shop list` shows it: its terms in effect, which of them are the platform's,
    whether it has credentials of its own (never the credentials)."""
    terms = asdict(terms_of(shop))
    products = session.scalar(
        select(func.count()).select_from(Product).where(Product.shop_id == shop.id)
    )
    return {
        "slug": shop.slug,
        "name": shop.name,
        "phone_number_id": sending_number(shop)
        if shop.slug == _default()
        else shop.phone_number_id,
        "display_phone_number": shop.display_phone_number,
        "products": products or 0,
        "pincodes": shop.delivery_pincodes.split(),
        "places": sorted(area_of_shop(shop).localities),
        **terms,
        "platform_terms": [f for f in TERM_FIELDS if getattr(shop, f) is None],
        "own_credentials": bool(shop.access_token or shop.app_secret),
        "payment_provider": shop.payment_provider or get_settings().payment_provider,
        "own_payment_account": shop.payment_provider is not None,
    }


def _default() -> str:
    return get_settings().default_shop_slug


@app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array, for scripts.")] = False,
) -> None:
    """Every shop with its number, catalog size, delivery area and terms (₹ in the table)."""
    with session_scope() as s:
        shops = [_described(s, shop) for shop in all_shops(s)]
    if as_json:
        typer.echo(json.dumps(shops, ensure_ascii=False, indent=2))
        return
    rows = [("SLUG", "NAME", "NUMBER", "PRODUCTS", "PINS", "FEE", "FREE FROM", "MIN", "HOURS")]
    for d in shops:
        rows.append(
            (
                d["slug"],
                d["name"],
                d["phone_number_id"] or "-",
                str(d["products"]),
                str(len(d["pincodes"])) if d["pincodes"] else "any",
                format_rupees(d["delivery_fee_paise"]),
                format_rupees(d["free_delivery_from_paise"])
                if d["free_delivery_from_paise"]
                else "never",
                format_rupees(d["minimum_order_paise"]),
                f"{d['opens_at_hour']:02d}-{d['closes_at_hour']:02d}",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
