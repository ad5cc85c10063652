"""`chatcart catalog load|import|export`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.catalog import changes
from bot.catalog.sources import Rejection, write_shop_catalog
from bot.catalog.store import ensure_shop, load_catalog, shop_catalog
from bot.db.session import session_scope
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
