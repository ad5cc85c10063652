"""Uploaded catalog files: refused at the door with a reason, kept under a token only their shop can use."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from bot.catalog.sources import SHOP_COLUMNS
from bot.catalog.uploads import (
    MAX_UPLOAD_BYTES,
    UnknownUpload,
    UploadRejected,
    UploadStore,
    check,
    default_root,
)
from bot.db.base import utcnow

HEADER = ",".join(SHOP_COLUMNS) + "\n"
ROW = "NEW-1,jaggery,Jaggery,गुड़,,staples,500,g,9900,8900,3,gud\n"
BIGBASKET = "index,product,category,sub_category,brand,sale_price,market_price,type,rating\n1,Toor Dal,Foodgrains,Dals,Tata,150,170,Dal,4\n"


@pytest.mark.parametrize(
    ("data", "fmt", "says"),
    [
        (b"", "auto", "empty"),
        (b"PK\x03\x04\x14\x00rest of a workbook", "auto", "Excel workbook"),
        (b"\xd0\xcf\x11\xe0old excel", "auto", "old Excel"),
        (b"sku\x00name", "auto", "binary"),
        (
            HEADER.encode() + "NEW-1,x,Caf\xe9,,,staples,1,g,1,1,1,\n".encode("latin-1"),
            "auto",
            "not UTF-8 text (byte 0xe9 on line 2)",
        ),
        (b"name,price\nAtta,70\n", "auto", "unknown header (name, price)"),
        (b"sku,name,price_paise\nA,B,1\n", "auto", "lacks the shop format's columns kind, name_hi"),
        (
            (HEADER.replace(",", ", ") + ROW).encode(),
            "auto",
            "spaces around them (sku, ' kind', ' name'",
        ),
        (";".join(SHOP_COLUMNS).encode() + b"\n", "auto", "semicolons"),
        (HEADER.encode(), "auto", "no product rows"),
        (BIGBASKET.encode(), "shop", "is a BigBasket export, not the shop format"),
        ((HEADER + ROW).encode(), "bigbasket", "is the shop format, not a BigBasket export"),
        ((HEADER + ROW).encode(), "excel", "unknown format"),
        (b"a" * (MAX_UPLOAD_BYTES + 1), "auto", "the limit is 10 MB"),
    ],
)
def test_files_that_are_not_a_catalog_are_refused_with_the_reason(
    data: bytes, fmt: str, says: str
) -> None:
    with pytest.raises(UploadRejected) as refused:
        check(data, fmt)
    assert says in refused.value.detail


def test_formats_are_told_apart_and_rows_counted() -> None:
    shop = check(("\ufeff" + HEADER + ROW + ROW.replace("NEW-1", "NEW-2") + "\n").encode())
    assert (shop.format, shop.rows) == ("shop", 2)
    assert check(BIGBASKET.encode()).format == "bigbasket"
    sized = "ProductID,ProductName,Brand,Price,DiscountPrice,Quantity,Category\n1,Onion,Fresho,69.75,52,2 kg,Veg\n"
    assert check(sized.encode(), "bigbasket").format == "bigbasket"


def stored(tmp_path: Path, shop_id: int = 1) -> tuple[UploadStore, str]:
    store = UploadStore(tmp_path / "uploads")
    data = (HEADER + ROW).encode()
    return store, store.save(shop_id, "owner", "../../etc/catalog.csv", check(data), data).token


def test_an_upload_is_kept_for_its_shop_only(tmp_path: Path) -> None:
    store, token = stored(tmp_path)
    kept = store.get(token, 1)
    assert (
        kept.filename == "catalog.csv"
        and kept.rows == 1
        and store.data(kept).read_bytes() == (HEADER + ROW).encode()
    )
    assert store.csv_path(kept).parent == tmp_path / "uploads"
    for who, what in ((2, token), (1, "A" * 24), (1, "../../../../etc/passwd"), (1, token[:-1])):
        with pytest.raises(UnknownUpload):
            store.get(what, who)


def test_expired_or_altered_uploads_are_refused(tmp_path: Path) -> None:
    store, token = stored(tmp_path)
    kept = store.get(token, 1)
    store.csv_path(kept).write_bytes((HEADER + ROW.replace("8900", "100")).encode())
    with pytest.raises(UnknownUpload, match="does not match"):
        store.data(kept)
    record = tmp_path / "uploads" / f"{token}.json"
    record.write_text(
        json.dumps(
            json.loads(record.read_text())
            | {"created_at": (utcnow() - timedelta(hours=2)).isoformat()}
        )
    )
    with pytest.raises(UnknownUpload, match="expired"):
        store.get(token, 1)
    assert not list((tmp_path / "uploads").iterdir())


def test_only_one_apply_claims_an_upload(tmp_path: Path) -> None:
    store, token = stored(tmp_path)
    kept = store.get(token, 1)
    assert store.claim(kept) and not store.claim(kept)


def test_uploads_live_beside_the_sqlite_file(tmp_path: Path) -> None:
    assert default_root(f"sqlite:///{tmp_path}/shop.db") == tmp_path / "shop-uploads"
    assert default_root("postgresql+psycopg://u@h/db").name == "uploads"
