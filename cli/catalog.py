"""`chatcart catalog load|import|export|link-meta|sync-meta`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.catalog import changes
from bot.catalog.sources import Rejection, write_shop_catalog
from bot.catalog.store import ensure_shop, load_catalog, shop_catalog
from bot.db.session import session_scope
from bot.errors import ShopError
from bot.meta_catalog import sync as meta_sync
from bot.meta_catalog.graph import CatalogClient, CatalogError
from bot.settings import get_settings
from cli.shop import read_catalog_file

app = typer.Typer(help="Load, import and export the shop's catalog.", no_args_is_help=True)


def _upload_format(fmt: str) -> changes.Format | None:
    """The formats the console accepts as uploads; others go through the plain file readers."""
    match fmt:
        case "shop" | "bigbasket":
            return fmt
        case _:
            return None


def _load(path: Path, fmt: str, source: str) -> None:
    settings = get_settings()
    if not path.exists():
        raise typer.BadParameter(f"{path} does not exist")
    # A merchant's file is imported as the console imports it: shelf order and aisle names kept
    # (a single CSV names no aisles), rows the database would refuse rejected with the rest.
    upload_format = _upload_format(fmt) if source == "import" and path.is_file() else None
    merchant_file = upload_format is not None
    if upload_format is not None:
        catalog = changes.read_upload(path, upload_format, settings.catalog_path)
    else:
        catalog = read_catalog_file(path, fmt)
    with session_scope() as s:
        shop = ensure_shop(s, settings.default_shop_slug, settings.default_shop_name)
        if merchant_file:
            report = changes.apply(
                s, shop.id, catalog, changes.preview(s, shop.id, catalog).fingerprint
            )
        else:
            report = load_catalog(s, shop, catalog, source=source)
    typer.echo(
        f"{path}: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.rejected} rejected"
    )
    _report_rejections(catalog.rejections)


def _report_rejections(rejections: list[Rejection], show: int = 20) -> None:
    for r in rejections[:show]:
        typer.echo(f"  rejected {r.source}:{r.line}: {r.reason}", err=True)
    if len(rejections) > show:
        typer.echo(f"  … and {len(rejections) - show} more rejected rows", err=True)


@app.command()
def load(
    path: Annotated[
        Path | None, typer.Argument(help="Catalog folder or CSV (shop format).")
    ] = None,
) -> None:
    """Load the shop's own catalog (default: data/catalog) into the database; idempotent."""
    _load(path or get_settings().catalog_path, "shop", "seed")


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="A merchant's CSV file.")],
    fmt: Annotated[str, typer.Option("--format", help="shop or bigbasket")] = "shop",
) -> None:
    """Import a merchant CSV; rows that cannot be used are reported with the reason."""
    _load(path, fmt, "import")


@app.command()
def export(path: Annotated[Path, typer.Argument(help="Where to write the CSV.")]) -> None:
    """Write the shop's catalog as CSV in the shop format."""
    settings = get_settings()
    with session_scope() as s:
        shop = ensure_shop(s, settings.default_shop_slug, settings.default_shop_name)
        products, _ = shop_catalog(s, shop.id)
    typer.echo(f"{write_shop_catalog(products, path)} products written to {path}")


@app.command("link-meta")
def link_meta(
    catalog_id: Annotated[str, typer.Argument(help="The catalog's id in Commerce Manager.")],
) -> None:
    """Link the shop to its Meta (WhatsApp) commerce catalog; `sync-meta` then fills it."""
    settings = get_settings()
    try:
        with session_scope(write=True) as s:
            shop = ensure_shop(s, settings.default_shop_slug, settings.default_shop_name)
            meta_sync.link(s, shop.id, catalog_id)
    except ShopError as e:
        raise typer.BadParameter(e.detail, param_hint="CATALOG_ID") from e
    typer.echo(f"{settings.default_shop_slug} is linked to Meta catalog {catalog_id}")


@app.command("sync-meta")
def sync_meta(
    queued: Annotated[
        bool, typer.Option(help="Every shop whose sync is due (a price or stock changed).")
    ] = False,
    full: Annotated[bool, typer.Option(help="Send every product, changed or not.")] = False,
) -> None:
    """Push the products changed since the last sync to the shop's Meta catalog through the
    Graph API's batch endpoint (retailer id = SKU); each item Meta refuses is reported and sent
    again next time. Exits 1 when anything failed."""
    settings = get_settings()
    if settings.whatsapp_capture:
        raise typer.BadParameter(
            "no WhatsApp credentials: set WHATSAPP_ACCESS_TOKEN (with catalog_management) "
            "and WHATSAPP_GRAPH_URL"
        )
    with session_scope(write=True) as s:
        if queued:
            shops = meta_sync.due_shops(s)
        else:
            shops = [ensure_shop(s, settings.default_shop_slug, settings.default_shop_name).id]
    client = CatalogClient(
        settings.whatsapp_graph_url,
        settings.whatsapp_api_version,
        settings.whatsapp_access_token.get_secret_value(),
    )
    failed = False
    try:
        for shop_id in shops:
            try:
                report = meta_sync.sync(shop_id, client.apply, settings.currency, full=full)
            except (ShopError, CatalogError) as e:
                typer.echo(f"shop {shop_id}: {e}", err=True)
                failed = True
                continue
            typer.echo(
                f"Meta catalog {report.catalog_id}: {report.created} created, "
                f"{report.updated} updated, {report.deleted} deleted, "
                f"{report.unchanged} unchanged, {len(report.failures)} failed"
            )
            for f in report.failures:
                typer.echo(f"  {f.method} {f.retailer_id}: {f.reason}", err=True)
            failed = failed or bool(report.failures)
    finally:
        client.close()
    if not shops:
        typer.echo("no Meta catalog sync is due")
    if failed:
        raise typer.Exit(1)
