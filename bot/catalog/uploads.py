"""A merchant's uploaded catalog file: checked, then kept on the server under a random token.

The preview and the apply must be about the same bytes, so the file is never sent twice: the
upload is stored once with its SHA-256, and "Apply" names it by a token that only the shop
that uploaded it can use, for a limited time. A file that is not a UTF-8 CSV in a known
format is refused at the door with what is wrong and how to fix it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import secrets
import shutil
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import make_url

from bot.catalog.changes import Format
from bot.catalog.sources import SHOP_COLUMNS
from bot.db.base import utcnow
from bot.errors import InvalidRequest, NotFound
from bot.settings import PROJECT_ROOT

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
PREVIEW_TTL = timedelta(hours=1)
# A crashed worker leaves "applying" behind; its transaction was rolled back.
APPLY_TIMEOUT = timedelta(minutes=15)
State = Literal["previewed", "applying", "applied", "failed"]
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{24}$")
BIGBASKET_NAMES = ("product", "ProductName")
BIGBASKET_PRICES = ("sale_price", "DiscountPrice", "Price")
_MAGIC = {
    b"PK\x03\x04": "an Excel workbook (.xlsx) or a zip archive",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls)",
    b"%PDF": "a PDF document",
}


class UploadRejected(InvalidRequest):
    code = "bad-upload"


class UnknownUpload(NotFound):
    code = "unknown-upload"


@dataclass(frozen=True, slots=True)
class CheckedFile:
    format: Format
    rows: int


def check(data: bytes, fmt: str = "auto") -> CheckedFile:
    """Whether the bytes are a CSV the readers can take, in which format, with how many rows."""
    if not data.strip():
        raise UploadRejected("the file is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRejected(
            f"the file is {len(data) / 1048576:.1f} MB; the limit is "
            f"{MAX_UPLOAD_BYTES // 1048576} MB: split it into smaller files"
        )
    kind = next((what for magic, what in _MAGIC.items() if data.startswith(magic)), None)
    if kind or b"\x00" in data[:8192]:
        raise UploadRejected(
            f"this is not a CSV file but {kind or 'a binary file'}: in Excel or "
            "Sheets use File → Save as / Download → “CSV UTF-8 (comma delimited)”"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise UploadRejected(
            f"the file is not UTF-8 text (byte 0x{data[e.start]:02x} on line {line}): "
            "save it as “CSV UTF-8”, which keeps ₹ and Hindi names intact"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])  # as the readers see it: " sku" is not "sku"
        rows = sum(1 for row in reader if any(cell.strip() for cell in row))
    except csv.Error as e:
        raise UploadRejected(f"the file is not valid CSV: {e}") from None
    found = detect(header)
    if fmt not in ("auto", "shop", "bigbasket"):
        raise UploadRejected(f"unknown format {fmt!r}: choose shop or BigBasket")
    if found is None or (fmt != "auto" and fmt != found):
        raise UploadRejected(_header_problem(header, fmt, found))
    if rows == 0:
        raise UploadRejected("the file has a header but no product rows")
    return CheckedFile(found, rows)


def detect(header: list[str]) -> Format | None:
    if all(c in header for c in SHOP_COLUMNS):
        return "shop"
    if any(c in header for c in BIGBASKET_NAMES) and any(c in header for c in BIGBASKET_PRICES):
        return "bigbasket"
    return None


def _header_problem(header: list[str], fmt: str, found: Format | None) -> str:
    shown = ", ".join(h if h == h.strip() else repr(h) for h in header[:12]) + (
        " …" if len(header) > 12 else ""
    )
    if len(header) == 1 and header[0].count(";") >= 3:
        return "the columns are separated by semicolons: save the file with commas (“CSV UTF-8 (comma delimited)”)"
    if found is None and detect([h.strip() for h in header]) is not None:
        return f"the column names have spaces around them ({shown}): remove the spaces from the first line"
    if found is not None:
        named = {"shop": "the shop format", "bigbasket": "a BigBasket export"}
        return f"this file is {named[found]}, not {named[fmt]}: choose that format (or “detect”)"
    if fmt == "shop" or any(c in header for c in ("sku", "price_paise", "mrp_paise")):
        missing = ", ".join(c for c in SHOP_COLUMNS if c not in header)
        return (
            f"the header lacks the shop format's columns {missing} (it has: {shown}); the first line must be: "
            + ",".join(SHOP_COLUMNS)
        )
    return (
        f"unknown header ({shown}): use the shop format (first line {','.join(SHOP_COLUMNS)}) or a "
        f"BigBasket export (a product name column {' or '.join(BIGBASKET_NAMES)} and a price column "
        f"{', '.join(BIGBASKET_PRICES)})"
    )


@dataclass(slots=True)
class Upload:
    token: str
    shop_id: int
    user: str
    filename: str
    format: Format
    rows: int
    size: int
    sha256: str
    created_at: str
    state: State = "previewed"
    phase: str = ""
    preview: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    started_at: str = ""
    finished_at: str = ""

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.created_at)

    @property
    def started(self) -> datetime | None:
        return datetime.fromisoformat(self.started_at) if self.started_at else None


def default_root(database_url: str) -> Path:
    """Beside the SQLite file (so each database has its own uploads), else under var/."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        db = Path(url.database)
        return db.with_name(f"{db.stem}-uploads")
    return PROJECT_ROOT / "var" / "uploads"


class UploadStore:
    """Uploads as `<token>.csv` plus `<token>.json` (who, what, the preview, the outcome)."""

    def __init__(self, root: Path, ttl: timedelta = PREVIEW_TTL) -> None:
        self.root = root
        self.ttl = ttl

    def save(
        self, shop_id: int, user: str, filename: str, checked: CheckedFile, data: bytes
    ) -> Upload:
        self.sweep()
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        token = secrets.token_urlsafe(18)
        upload = Upload(
            token=token,
            shop_id=shop_id,
            user=user,
            filename=Path(filename).name[:200] or "upload.csv",
            format=checked.format,
            rows=checked.rows,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            created_at=utcnow().isoformat(),
        )
        path = self.csv_path(upload)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        self.update(upload)
        return upload

    def get(self, token: str, shop_id: int) -> Upload:
        """The shop's own upload, unexpired; another shop's is as unknown as a made-up token."""
        if not _TOKEN.match(token):
            raise UnknownUpload("no such upload")
        try:
            upload = Upload(**json.loads((self.root / f"{token}.json").read_text("utf-8")))
        except (OSError, ValueError, TypeError):
            raise UnknownUpload(
                "no such upload: it expired or was discarded; upload the file again"
            ) from None
        if upload.shop_id != shop_id:
            raise UnknownUpload("no such upload")
        if utcnow() - upload.created > self.ttl and upload.state != "applying":
            self.discard(upload)
            raise UnknownUpload(
                f"this upload expired (previews are kept {self.ttl.total_seconds() / 60:.0f} "
                "minutes): upload the file again"
            )
        if (
            upload.state == "applying"
            and upload.started
            and utcnow() - upload.started > APPLY_TIMEOUT
        ):
            upload.state, upload.error = (
                "failed",
                "the import stopped without finishing; nothing was applied",
            )
            self.update(upload)
        return upload

    def data(self, upload: Upload) -> Path:
        """The stored file, checked against the hash taken when it was uploaded."""
        path = self.csv_path(upload)
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            raise UnknownUpload("the uploaded file is gone: upload it again") from None
        if digest != upload.sha256:
            raise UnknownUpload("the stored file does not match the one previewed: upload it again")
        return path

    def csv_path(self, upload: Upload) -> Path:
        return self.root / f"{upload.token}.csv"

    def update(self, upload: Upload) -> None:
        """Written whole and renamed into place: a reader never sees half a record."""
        target = self.root / f"{upload.token}.json"
        temp = target.with_suffix(f".{secrets.token_hex(4)}.tmp")
        temp.write_text(json.dumps(asdict(upload), ensure_ascii=False), "utf-8")
        os.chmod(temp, 0o600)
        os.replace(temp, target)

    def claim(self, upload: Upload) -> bool:
        """Only one "Apply" of an upload runs, even across worker processes."""
        try:
            os.close(
                os.open(
                    self.root / f"{upload.token}.claim", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
                )
            )
        except FileExistsError:
            return False
        return True

    def discard(self, upload: Upload) -> None:
        for suffix in (".csv", ".json", ".claim"):
            (self.root / f"{upload.token}{suffix}").unlink(missing_ok=True)

    def sweep(self) -> None:
        """Forget uploads past their time (and stray temporary files)."""
        if not self.root.is_dir():
            return
        cutoff = utcnow() - self.ttl - APPLY_TIMEOUT
        for path in self.root.iterdir():
            try:
                if datetime.fromtimestamp(path.stat().st_mtime, cutoff.tzinfo) < cutoff:
                    path.unlink() if path.is_file() else shutil.rmtree(path)
            except OSError:
                continue
