"""Reading catalogs from files: the shop's own CSV format and BigBasket exports.

Rows that cannot be used are returned as rejections with a reason, never silently dropped.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

import yaml
from rapidfuzz.distance import OSA

from bot.catalog.index import keys, words
from bot.catalog.model import CatalogProduct, PackUnit, is_pack_unit
from bot.text.phonetic import phonetic_key

SHOP_COLUMNS = (
    "sku",
    "kind",
    "name",
    "name_hi",
    "brand",
    "category",
    "pack_size",
    "pack_unit",
    "mrp_paise",
    "price_paise",
    "stock",
    "aliases",
)


@dataclass(frozen=True, slots=True)
class Rejection:
    source: str
    line: int
    reason: str
    row: dict[str, str]


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    slug: str
    name: str
    name_hi: str = ""
    prefix: str = ""


@dataclass(slots=True)
class CatalogFile:
    products: list[CatalogProduct] = field(default_factory=list)
    categories: list[CategoryInfo] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


def read_shop_catalog(path: Path) -> CatalogFile:
    """A directory (categories.yml + products/*.csv) or a single CSV in the shop format."""
    out = CatalogFile()
    if path.is_dir():
        cats = path / "categories.yml"
        if cats.exists():
            out.categories = [CategoryInfo(**c) for c in yaml.safe_load(cats.read_text("utf-8"))]
        files = sorted((path / "products").glob("*.csv")) or sorted(path.glob("*.csv"))
        order = {c.slug: i for i, c in enumerate(out.categories)}
        files.sort(key=lambda f: (order.get(f.stem, len(order)), f.name))
    else:
        files = [path]
    seen: set[str] = set()
    for f in files:
        with f.open(newline="", encoding="utf-8-sig") as fh:
            for lineno, row in enumerate(csv.DictReader(fh), start=2):
                product, reason = _shop_row(row, len(out.products))
                if product is None or product.sku in seen:
                    out.rejections.append(
                        Rejection(f.name, lineno, reason or f"duplicate sku {row.get('sku')}", row)
                    )
                    continue
                seen.add(product.sku)
                out.products.append(product)
    if not out.categories:
        slugs = dict.fromkeys(p.category for p in out.products)
        out.categories = [CategoryInfo(s, s.replace("-", " ").title()) for s in slugs]
    return out


def _shop_row(row: dict[str, str], position: int) -> tuple[CatalogProduct | None, str | None]:
    missing = [c for c in SHOP_COLUMNS if c not in row]
    if missing:
        return None, f"missing columns: {', '.join(missing)}"
    try:
        size, mrp, price, stock = (
            int(row[c]) for c in ("pack_size", "mrp_paise", "price_paise", "stock")
        )
    except (TypeError, ValueError):
        return None, "pack_size, mrp_paise, price_paise and stock must be integers"
    unit = (row["pack_unit"] or "").strip()
    if not is_pack_unit(unit):
        return None, f"pack_unit must be g, ml or pc, not {unit!r}"
    if size <= 0 or price < 0 or stock < 0 or mrp < price:
        return None, "pack_size must be positive, stock and price not negative, mrp >= price"
    if not row["sku"].strip() or not row["name"].strip():
        return None, "sku and name are required"
    aliases = tuple(a.strip() for a in (row["aliases"] or "").split("|") if a.strip())
    return (
        CatalogProduct(
            sku=row["sku"].strip(),
            kind=row["kind"].strip().lower(),
            name=row["name"].strip(),
            name_hi=row["name_hi"].strip(),
            brand=row["brand"].strip(),
            category=row["category"].strip(),
            pack_size=size,
            pack_unit=unit,
            mrp_paise=mrp,
            price_paise=price,
            stock=stock,
            aliases=aliases,
            position=position,
        ),
        None,
    )


def write_shop_catalog(products: Iterable[CatalogProduct], path: Path) -> int:
    n = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(SHOP_COLUMNS)
        for p in products:
            w.writerow(
                [
                    p.sku,
                    p.kind,
                    p.name,
                    p.name_hi,
                    p.brand,
                    p.category,
                    p.pack_size,
                    p.pack_unit,
                    p.mrp_paise,
                    p.price_paise,
                    p.stock,
                    "|".join(p.aliases),
                ]
            )
            n += 1
    return n


# --- BigBasket -------------------------------------------------------------------------------

_PACK_RE = re.compile(
    r"(?P<count>\d+)\s*[x×]\s*(?P<size>\d+(?:\.\d+)?)\s*(?P<unit>kg|g|gm|gms|ml|l|ltr|litre)\b"
    r"|(?P<size2>\d+(?:\.\d+)?)\s*(?P<unit2>kg|g|gm|gms|grams?|ml|l|ltr|litres?|pcs?|pieces?|"
    r"nos|n|sachets?|bags?|tablets?|capsules?)\b",
    re.IGNORECASE,
)
_UNIT_FACTORS: dict[str, tuple[PackUnit, int]] = {
    "kg": ("g", 1000),
    "g": ("g", 1),
    "gm": ("g", 1),
    "gms": ("g", 1),
    "gram": ("g", 1),
    "grams": ("g", 1),
    "ml": ("ml", 1),
    "l": ("ml", 1000),
    "ltr": ("ml", 1000),
    "litre": ("ml", 1000),
    "litres": ("ml", 1000),
}


def parse_pack(text: str) -> tuple[int, PackUnit] | None:
    """ "500 g", "2 kg", "5 x 1 kg", "46 pcs" → (size, unit) in canonical units."""
    m = _PACK_RE.search(text or "")
    if not m:
        return None
    if m.group("count"):
        unit, factor = _UNIT_FACTORS[m.group("unit").lower()]
        size = int(m.group("count")) * float(m.group("size")) * factor
    else:
        raw = m.group("unit2").lower()
        unit, factor = _UNIT_FACTORS.get(raw, ("pc", 1))
        size = float(m.group("size2")) * factor
    return (round(size), unit) if size >= 1 else None


_SYNONYM_CATEGORIES = ("foodgrains", "fruits & vegetables", "gourmet")
_SYNONYM = re.compile(r"/+[^/]*?(?=\s+-\s|$)")


def _clean_name(name: str, category: str) -> str:
    """Drop the "/Kannada synonym" that food names carry ("Besan/Kadale Hittu", "Atta/Godihittu
    - Whole Wheat"); elsewhere a slash is part of the name ("Water/Juice Glass")."""
    if "/" in name and category.lower().startswith(_SYNONYM_CATEGORIES):
        name = _SYNONYM.sub("", name)
    return re.sub(r"\s+", " ", name).strip(" -,")


def _head_kind(name: str, brand: str, kinds: KindIndex | None = None) -> str:
    """BigBasket has no kind column: the head noun is the last word of the name's main part.
    With the shop's kinds, the head is widened to the shop kind it names: "Bottle Gourd" is a
    bottle gourd (not any gourd), "Chilli - Green" a green chilli, "Coconut Hair Oil" hair oil."""
    main = re.split(r"\s[-–(]\s?|,", name, maxsplit=1)[0]
    main = _PACK_RE.sub("", main)
    if brand and main.lower().startswith(brand.lower()):
        main = main[len(brand) :]
    words = [w for w in re.findall(r"[A-Za-z]+", main) if len(w) > 1]
    if not words:
        return ""
    head = words[-1].lower()
    return kinds.widen(words, name) or head if kinds else head


def _loose(word: str) -> str:
    """A key that also forgives English plural endings: chillies/chilli, tomatoes/tomato."""
    k = phonetic_key(word.lower())
    return (k.rstrip("aeiouy") or k) if len(k) > 3 else k


class KindIndex:
    """The shop's kinds by their head noun, to read an imported name's kind with."""

    def __init__(self, kinds: Iterable[str]) -> None:
        self.by_head: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for kind in sorted(kinds):
            parts = [_loose(w) for w in kind.split()]
            if parts and all(parts):
                self.by_head.setdefault(parts[-1], []).append((kind, tuple(parts[:-1])))

    def widen(self, main_words: list[str], name: str) -> str | None:
        options = self.by_head.get(_loose(main_words[-1]))
        if not options:
            return None
        main = [_loose(w) for w in main_words[:-1]]
        everywhere = [_loose(w) for w in re.findall(r"[A-Za-z]+", name)]
        last_at = {w: i for i, w in enumerate(everywhere)}
        best: tuple[tuple[bool, int, int], str] | None = None
        for kind, before in options:
            # The kind's words right before the head ("hair oil") beat words elsewhere in the
            # name; more words beat fewer; then words nearer the end ("Masala - Chicken
            # Biryani" is a biryani masala, as English puts the closest qualifier last).
            adjacent = not before or tuple(main[-len(before) :]) == before
            if adjacent or all(w in last_at for w in before):
                rank = (adjacent, len(before), min((last_at[w] for w in before), default=0))
                if best is None or rank > best[0]:
                    best = (rank, kind)
        return best[1] if best else None


def _money(value: str) -> int | None:
    try:
        amount = float(str(value).replace(",", "").replace("₹", "").strip())
    except ValueError:
        return None
    return round(amount * 100) if amount >= 0 else None


def read_bigbasket(
    path: Path, kind_aliases: dict[str, tuple[str, ...]] | None = None
) -> CatalogFile:
    """Either BigBasket export: `product,category,sub_category,brand,sale_price,market_price,...`
    or `ProductName,Brand,Price,DiscountPrice,Quantity,Category,SubCategory`."""
    out = CatalogFile()
    given = kind_aliases or {}
    # A plain dict knows aliases only: the rest of the shop's knowledge is then empty.
    known = given if isinstance(given, KindAliases) else KindAliases(given)
    kinds = KindIndex(known.kinds) if known.kinds else None
    names: dict[str, int] = {}
    cats: dict[str, None] = {}
    with path.open(newline="", encoding="utf-8-sig") as fh:
        for lineno, row in enumerate(csv.DictReader(fh), start=2):
            product, reason = _bigbasket_row(row, lineno, names, known, len(out.products), kinds)
            if product is None:
                out.rejections.append(Rejection(path.name, lineno, reason or "unusable", row))
                continue
            cats.setdefault(product.category)
            out.products.append(product)
    out.categories = [CategoryInfo(_slug(c), c) for c in cats]
    out.products = [replace(p, category=_slug(p.category)) for p in out.products]
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "other"


def _bigbasket_row(
    row: dict[str, str],
    lineno: int,
    names: dict[str, int],
    kind_aliases: KindAliases,
    position: int,
    kinds: KindIndex | None = None,
) -> tuple[CatalogProduct | None, str | None]:
    # The two BigBasket exports spell the same column differently.
    def get(*keys: str) -> str:
        return next((row[k] for k in keys if row.get(k) not in (None, "")), "")

    raw_name = get("product", "ProductName")
    category = get("category", "Category").strip() or "Other"
    name = _clean_name(raw_name, category)
    if not name:
        return None, "no product name"
    brand = get("brand", "Brand").strip()
    sale = _money(get("sale_price", "DiscountPrice", "Price"))
    mrp = _money(get("market_price", "Price")) or sale
    if sale is None or sale == 0:
        return None, f"no usable price in {get('sale_price', 'DiscountPrice', 'Price')!r}"
    mrp = max(mrp or sale, sale)
    found = parse_pack(get("Quantity")) or parse_pack(raw_name)
    unsized = found is None
    pack: tuple[int, PackUnit] = found or (1, "pc")
    kind = _head_kind(name, brand, kinds)
    bkey = brand_key(brand)
    # No size given: one "pc" is a placeholder, unless the shop sells this kind by the piece.
    pack_known = not unsized or kind in kind_aliases.piece_kinds
    # Same name, other pack or price: another SKU of the same product. Fully equal: a copy.
    listing = "|".join(get(k) for k in ("sub_category", "SubCategory", "type", "market_price"))
    key = f"{name.lower()}|{brand.lower()}|{pack}|{sale}|{listing.lower()}"
    if key in names:
        return None, f"duplicate of line {names[key]}: {name} ({brand}) {pack[0]} {pack[1]}"
    names[key] = lineno
    return (
        CatalogProduct(
            sku=f"BB-{lineno:05d}",
            kind=kind,
            name=name,
            brand=brand,
            category=category,
            pack_size=pack[0],
            pack_unit=pack[1],
            mrp_paise=mrp,
            price_paise=sale,
            stock=100,
            aliases=tuple(
                dict.fromkeys(
                    (
                        *kind_aliases.get(kind, ()),
                        *kind_aliases.brand_aliases.get(bkey, ()),
                    )
                )
            ),
            position=position,
            pack_known=pack_known,
            brand_hi=kind_aliases.brand_hi.get(bkey, ""),
        ),
        None,
    )


class KindAliases(dict[str, tuple[str, ...]]):
    """kind -> aliases, plus what else the shop knows about its kinds: which ones it sells
    by the piece (eggs, toothbrushes), so an imported product of that kind without a pack size
    is still counted in pieces."""

    kinds: frozenset[str] = frozenset()  # the shop's own kinds (keys also hold "… dal" heads)
    piece_kinds: frozenset[str] = frozenset()
    # By brand (see `brand_key`): the brand in Devanagari as the shop's Hindi names write it
    # ("कोलगेट"), and the aliases every product of the brand shares ("coke" for Coca-Cola).
    # Read-only when shared by the class: `kind_aliases` gives each instance its own.
    brand_hi: Mapping[str, str] = MappingProxyType({})
    brand_aliases: Mapping[str, tuple[str, ...]] = MappingProxyType({})


def kind_aliases(products: Iterable[CatalogProduct]) -> KindAliases:
    """Aliases shared by every product of a kind: the shop's own knowledge, reusable on
    imported catalogs (a BigBasket "Onion" learns "pyaz" from the shop's onions, and "प्याज़"
    from the shop's Hindi names). Aliases naming a brand are not shared."""
    shared: dict[str, set[str]] = {}
    by_piece: dict[str, bool] = {}

    def meet(key: str, terms: set[str], piece: bool) -> None:
        shared[key] = shared[key] & terms if key in shared else set(terms)
        by_piece[key] = by_piece.get(key, True) and piece

    products = list(products)
    for p in products:
        if p.kind:
            terms = {a.lower() for a in (*p.aliases, *_hindi_heads(p)) if not _names_brand(a, p)}
            piece = p.pack_unit == "pc"
            meet(p.kind, terms, piece)
            if " " in p.kind:
                meet(f"*{p.kind.split()[-1]}", terms, piece)  # what every "… dal" has in common
    out = KindAliases(
        {k.lstrip("*"): tuple(sorted(v)) for k, v in shared.items() if k.startswith("*")}
    )
    out.update({k: tuple(sorted(v)) for k, v in shared.items() if not k.startswith("*")})
    out.kinds = frozenset(k for k in shared if not k.startswith("*"))
    out.brand_hi, out.brand_aliases = _brand_knowledge(products, out)
    out.piece_kinds = frozenset(k.lstrip("*") for k, piece in by_piece.items() if piece)
    return out


def brand_key(brand: str) -> str:
    """A brand's identity across catalogs: "Haldiram's" and "Haldirams", "Coca-Cola" and
    "Coca Cola" are one brand."""
    return re.sub(r"[^a-z0-9]", "", brand.lower())


def _brand_knowledge(
    products: Iterable[CatalogProduct],
    by_kind: dict[str, tuple[str, ...]],
) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Per brand: its Devanagari spelling, and the nicknames every product of the brand has
    and no other brand uses ("coke" for Coca-Cola). An alias holding a word of the product's
    own name or kind ("mortein coil", "ship machis") says what the product is, not who makes
    it, and so do the kind's aliases: neither is handed to the brand's other products."""
    spellings: dict[str, Counter[str]] = {}
    shared: dict[str, set[str]] = {}
    users: dict[str, set[str]] = {}
    kind_terms: dict[str, set[str]] = {}
    for p in products:
        bkey = brand_key(p.brand)
        terms = {a.lower() for a in p.aliases}
        for t in terms:
            users.setdefault(t, set()).add(bkey)
        if not bkey:
            continue
        kind_terms.setdefault(bkey, set()).update(by_kind.get(p.kind, ()))
        brand_words = keys(p.brand)
        hindi = words(p.name_hi)
        branded_name = p.name.lower().startswith(p.brand.lower()) and len(hindi) > len(brand_words)
        if branded_name:
            spellings.setdefault(bkey, Counter())[" ".join(hindi[: len(brand_words)])] += 1
        hindi_keys = keys(p.name_hi)[len(brand_words) if branded_name else 0 :]
        own = (set(keys(p.name)) | set(hindi_keys) | set(keys(p.kind))) - set(brand_words)
        terms = {t for t in terms if not set(keys(t)) & own}
        shared[bkey] = shared[bkey] & terms if bkey in shared else terms
    brand_hi = {b: c.most_common(1)[0][0] for b, c in spellings.items()}
    nicknames = {
        b: tuple(sorted(t for t in terms if users[t] == {b} and t not in kind_terms[b]))
        for b, terms in shared.items()
    }
    return brand_hi, {b: t for b, t in nicknames.items() if t}


def _hindi_heads(p: CatalogProduct) -> list[str]:
    """The kind as the Hindi name says it: Hindi, like English, ends on its head noun, so the
    last words of "टाटा सम्पन्न आयोडीन नमक" (as many as the kind has) are a candidate; only what
    every product of the kind shares survives `kind_aliases`. Never fewer words than the kind:
    "पाउडर" alone is not turmeric powder."""
    hindi = re.sub(r"\([^)]*\)", " ", p.name_hi).split()
    n = min(len(p.kind.split()), len(hindi))
    return [" ".join(hindi[-n:])] if n else []


def _names_brand(alias: str, p: CatalogProduct) -> bool:
    """Whether an alias is (a spelling of) the product's brand: "tata namak", "maggie" and
    "ching's secret" say who made a product, not what it is, so other brands must not inherit
    them even when the shop stocks one brand of the kind only."""
    brand = set(keys(p.brand)) - set(keys(p.kind))
    return any(
        a == b
        or (min(len(a), len(b)) >= 5 and OSA.normalized_similarity(a, b) >= 0.8)
        or (
            min(len(a), len(b)) >= 4
            and abs(len(a) - len(b)) == 1
            and (a.startswith(b) or b.startswith(a))
        )
        for a in keys(alias)
        for b in brand
    )


def iter_rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        yield from csv.DictReader(fh)
