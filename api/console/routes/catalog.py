"""Catalog pages: search and list products, edit price and stock, import a CSV with a preview of
its changes, export the catalog.

Every query is bounded to the signed-in merchant's shop: another shop's SKU or upload token is
as unknown here as one that never existed.
"""

from __future__ import annotations

import csv
import io
import logging
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, TypedDict
from urllib.parse import quote, urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from api.console.deps import (
    SECURITY_HEADERS,
    CsrfMerchant,
    CurrentMerchant,
    MerchantPrincipal,
    render,
    see_other,
)
from api.errors import ProblemError
from bot.catalog import changes, imports, listing
from bot.catalog.edits import edit_product, parse_stock, rupees_to_paise
from bot.catalog.model import format_pack, format_rupees
from bot.catalog.sources import write_shop_catalog
from bot.catalog.store import shop_catalog
from bot.catalog.uploads import (
    MAX_UPLOAD_BYTES,
    PREVIEW_TTL,
    UnknownUpload,
    UploadRejected,
    UploadStore,
    check,
    default_root,
)
from bot.db.models import Category, Shop
from bot.db.session import session_scope
from bot.errors import NotFound, ShopError
from bot.meta_catalog import sync as meta_sync
from bot.settings import get_settings

log = logging.getLogger(__name__)
router = APIRouter()
RANKERS = listing.Rankers()
PER_PAGE = 50
CATALOG = "/merchant/catalog"
IMPORT = f"{CATALOG}/import"


def _store() -> UploadStore:
    return UploadStore(default_root(get_settings().database_url))


class TemplateHelpers(TypedDict):
    rupees: Callable[[int], str]
    pack: Callable[[int, str], str]
    quote: Callable[[str], str]
    amount: Callable[[int], str]


def _helpers() -> TemplateHelpers:
    return {
        "rupees": format_rupees,
        "pack": format_pack,
        "quote": lambda s: quote(s, safe=""),
        "amount": lambda paise: (
            f"{paise // 100}" if paise % 100 == 0 else f"{paise // 100}.{paise % 100:02d}"
        ),
    }


def _back(target: str) -> str:
    """Back to the list as it was (search, page), never anywhere else."""
    return target if target.startswith(CATALOG) and not target.startswith("//") else CATALOG


@router.get("/catalog", response_class=HTMLResponse)
def catalog_page(
    request: Request,
    merchant: CurrentMerchant,
    q: Annotated[str, Query(max_length=200)] = "",
    category: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    with session_scope() as session:
        rank = RANKERS.get(session, merchant.shop_id) if q.strip() else None
        found = listing.find(
            session,
            merchant.shop_id,
            query=q,
            category=category,
            page=page,
            per_page=PER_PAGE,
            rank=rank,
        )
        categories = list(
            session.scalars(
                select(Category)
                .where(Category.shop_id == merchant.shop_id)
                .order_by(Category.position, Category.id)
            )
        )
    kept = urlencode(
        [(k, v) for k, v in request.query_params.multi_items() if k not in ("notice", "error")]
    )
    here = request.url.path + (
        f"?{kept}" if kept else ""
    )  # where an edit comes back to, without its message
    return render(
        request,
        "console/catalog.html",
        merchant,
        listing=found,
        q=q,
        category=category,
        categories=[(c.slug, c.name) for c in categories],
        here=here,
        warming=bool(q.strip()) and rank is None,
        **_helpers(),
    )


@router.post("/catalog/products/{sku:path}")
def edit(
    merchant: CsrfMerchant,
    sku: str,
    price: Annotated[str, Form(max_length=40)] = "",
    stock: Annotated[str, Form(max_length=20)] = "",
    seen_price: Annotated[int, Form(ge=0)] = 0,
    seen_stock: Annotated[int, Form(ge=0)] = 0,
    back: Annotated[str, Form(max_length=2000)] = CATALOG,
) -> Response:
    back = _back(back)
    try:
        price_paise = rupees_to_paise(price)
        new_stock = parse_stock(stock)
        with session_scope(write=True) as session:
            done = edit_product(
                session,
                merchant.shop_id,
                sku,
                price_paise=price_paise,
                stock=new_stock,
                seen_price=seen_price,
                seen_stock=seen_stock,
                actor=f"console:{merchant.username}",
            )
            if done.changed:
                meta_sync.request_sync(session, merchant.shop_id)
    except NotFound as e:  # not this shop's product: a forged or foreign form, as any page
        raise ProblemError(404, "not-found", "Not Found", e.detail) from e
    except ShopError as e:
        detail = e.detail if e.detail.startswith(sku) else f"{sku}: {e.detail}"
        return see_other(back, error=detail)
    if not done.changed:
        return see_other(back, notice=f"{sku}: nothing to change")
    said = []
    if "price_paise" in done.changed:
        old, new = done.changed["price_paise"]
        said.append(f"price {format_rupees(old)} → {format_rupees(new)}")
    if "stock" in done.changed:
        old, new = done.changed["stock"]
        said.append(f"stock {old} → {new}")
    return see_other(back, notice=f"{sku}: {', '.join(said)}")


@router.get("/catalog/export.csv")
def export(merchant: CurrentMerchant) -> Response:
    """The active catalog in the shop format: `chatcart catalog import --format shop` reads it back."""
    with session_scope() as session:
        products, _ = shop_catalog(session, merchant.shop_id)
        slug = session.scalar(select(Shop.slug).where(Shop.id == merchant.shop_id)) or "shop"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "catalog.csv"
        write_shop_catalog(products, path)
        body = path.read_bytes()
    name = f"{slug}-catalog-{date.today().isoformat()}.csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
    )


def _import_page(
    request: Request,
    merchant: MerchantPrincipal,
    error: str | None = None,
    status_code: int = 200,
    fmt: str = "auto",
) -> HTMLResponse:
    return render(
        request,
        "console/catalog_import.html",
        merchant,
        status_code=status_code,
        error=error,
        fmt=fmt,
        max_mb=MAX_UPLOAD_BYTES // 1048576,
        ttl_minutes=int(PREVIEW_TTL.total_seconds() // 60),
    )


@router.get("/catalog/import", response_class=HTMLResponse)
def import_form(request: Request, merchant: CurrentMerchant) -> HTMLResponse:
    return _import_page(request, merchant)


@router.post("/catalog/import")
def upload(
    request: Request,
    merchant: CsrfMerchant,
    file: Annotated[UploadFile | None, File()] = None,
    fmt: Annotated[str, Form(alias="format", max_length=20)] = "auto",
) -> Response:
    if file is None or not file.filename:
        return _import_page(request, merchant, "Choose a CSV file to upload.", 422, fmt)
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    try:
        checked = check(data, fmt)
        kept = imports.upload(
            _store(),
            merchant.shop_id,
            merchant.username,
            file.filename,
            checked,
            data,
            get_settings().catalog_path,
        )
    except UploadRejected as e:
        return _import_page(request, merchant, f"{file.filename}: {e.detail}", 422, fmt)
    except Exception:  # a reader's surprise must not cost the merchant a blank error page
        log.exception("catalog upload %s could not be read", file.filename)
        return _import_page(
            request,
            merchant,
            f"{file.filename} could not be read as a catalog; check that "
            "it opens as a table with the header on the first line",
            422,
            fmt,
        )
    return see_other(f"{IMPORT}/{kept.token}")


def _missing(request: Request, merchant: MerchantPrincipal, e: UnknownUpload) -> HTMLResponse:
    return _import_page(request, merchant, e.detail, 404)


@router.get("/catalog/import/{token}", response_class=HTMLResponse)
def import_status(request: Request, merchant: CurrentMerchant, token: str) -> HTMLResponse:
    try:
        kept = _store().get(token, merchant.shop_id)
    except UnknownUpload as e:
        return _missing(request, merchant, e)
    response = render(
        request, "console/catalog_preview.html", merchant, upload=kept, p=kept.preview, **_helpers()
    )
    if kept.state == "applying":
        response.headers["Refresh"] = "1"
    return response


@router.post("/catalog/import/{token}/apply")
def apply(request: Request, merchant: CsrfMerchant, token: str) -> Response:
    store = _store()
    try:
        kept = store.get(token, merchant.shop_id)
    except UnknownUpload as e:
        return _missing(request, merchant, e)
    if (
        kept.preview.get("counts", {}).get("new", 0)
        + kept.preview.get("counts", {}).get("changed", 0)
        == 0
    ):
        return see_other(
            f"{IMPORT}/{token}", error="This file changes nothing: there is nothing to apply."
        )
    if not imports.start(store, kept, get_settings().catalog_path):
        said = {
            "applied": "This upload is already applied.",
            "applying": "This upload is being applied.",
            "failed": "This upload could not be applied: upload the file again.",
        }
        return see_other(
            f"{IMPORT}/{token}", notice=said.get(kept.state, "This upload is being applied.")
        )
    return see_other(f"{IMPORT}/{token}")


@router.post("/catalog/import/{token}/discard")
def discard(request: Request, merchant: CsrfMerchant, token: str) -> Response:
    store = _store()
    try:
        kept = store.get(token, merchant.shop_id)
    except UnknownUpload as e:
        return _missing(request, merchant, e)
    if kept.state == "applying":
        return see_other(
            f"{IMPORT}/{token}", error="The import is running; it cannot be discarded now."
        )
    store.discard(kept)
    return see_other(IMPORT, notice=f"{kept.filename} was discarded.")


@router.get("/catalog/import/{token}/rejected.csv")
def rejected(request: Request, merchant: CurrentMerchant, token: str) -> Response:
    """Every rejected row with its line and reason, to fix and upload again."""
    store = _store()
    try:
        kept = store.get(token, merchant.shop_id)
        catalog = changes.read_upload(store.data(kept), kept.format, get_settings().catalog_path)
    except UnknownUpload as e:
        return _missing(request, merchant, e)
    columns = list(dict.fromkeys(str(k) for r in catalog.rejections for k in r.row if k))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line", "reason", *columns])
    for r in catalog.rejections:
        writer.writerow([r.line, r.reason, *(r.row.get(c, "") for c in columns)])
    name = f"rejected-{Path(kept.filename).stem[:60]}.csv"
    return Response(
        out.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            **SECURITY_HEADERS,
            "Content-Disposition": f'attachment; filename="{quote(name)}"',
        },
    )
