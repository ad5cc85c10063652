"""A catalog import from the console: upload → preview → apply, each step recorded on the upload.

Applying 27,555 BigBasket products takes seconds to tens of seconds, longer than a page should
hang, so `start` runs it in a thread and the upload's record says which phase it is in; the
page showing it refreshes until it reads "applied" (with the report) or "failed" (with why).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from bot.catalog import changes
from bot.catalog.uploads import CheckedFile, Upload, UploadStore
from bot.db.base import utcnow
from bot.db.session import session_scope
from bot.errors import ShopError

log = logging.getLogger(__name__)
PREVIEW_ROWS = 300  # rows of each table kept for the preview page


def upload(
    store: UploadStore,
    shop_id: int,
    user: str,
    filename: str,
    checked: CheckedFile,
    data: bytes,
    seed_catalog: Path,
) -> Upload:
    """Store the file and record what applying it would change."""
    started = time.perf_counter()
    kept = store.save(shop_id, user, filename, checked, data)
    try:
        catalog = changes.read_upload(store.csv_path(kept), kept.format, seed_catalog)
        with session_scope() as session:
            found = changes.preview(session, shop_id, catalog)
    except BaseException:
        store.discard(kept)
        raise
    kept.preview = changes.as_json(found, PREVIEW_ROWS)
    kept.preview["seconds"] = round(time.perf_counter() - started, 2)
    store.update(kept)
    return kept


def start(store: UploadStore, kept: Upload, seed_catalog: Path) -> bool:
    """Begin applying a previewed upload in the background; False if it was already begun."""
    if kept.state != "previewed" or not store.claim(kept):
        return False
    kept.state, kept.phase, kept.started_at = "applying", "reading the file", utcnow().isoformat()
    store.update(kept)
    threading.Thread(
        target=run, args=(store, kept, seed_catalog), name=f"import-{kept.token[:6]}", daemon=True
    ).start()
    return True


def run(store: UploadStore, kept: Upload, seed_catalog: Path) -> None:
    """Apply the upload, all or nothing, and record the outcome on it."""
    started = time.perf_counter()
    try:
        catalog = changes.read_upload(store.data(kept), kept.format, seed_catalog)
        counts = kept.preview.get("counts", {})
        kept.phase = f"writing {counts.get('new', 0):,} new and {counts.get('changed', 0):,} changed products"
        store.update(kept)
        with session_scope(write=True) as session:
            report = changes.apply(session, kept.shop_id, catalog, kept.preview["fingerprint"])
        kept.state = "applied"
        kept.result = {
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": len(catalog.rejections),
            "seconds": round(time.perf_counter() - started, 2),
        }
        log.info(
            "catalog import %s by %s (shop %s): %s",
            kept.filename,
            kept.user,
            kept.shop_id,
            kept.result,
        )
    except ShopError as e:
        kept.state, kept.error = "failed", e.detail
    except Exception as e:  # recorded for the merchant; the transaction was rolled back
        log.exception("catalog import %s failed", kept.token)
        kept.state, kept.error = (
            "failed",
            f"the import failed and nothing was applied ({type(e).__name__}: {e})"[:500],
        )
    kept.phase, kept.finished_at = "", utcnow().isoformat()
    store.update(kept)
