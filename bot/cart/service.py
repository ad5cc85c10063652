"""Cart services the assistant's actions and the REST API share.

Every function takes the caller's session and leaves committing to it. On SQLite, a session
that writes should start with a write (every function here but `view` is one) or be opened
with `session_scope(write=True)`: see `bot.db.session.begin_write`. Prices are never
stored in the cart: each view re-reads the catalog, so a cart always shows today's price.
Writers lock the cart row (PostgreSQL) or take SQLite's write lock, so that two messages from
one shopper arriving together are applied one after the other, never half each.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.cart.errors import CartFull, InvalidCount, InvalidCustomer, UnknownProduct
from bot.cart.model import CartLineView, CartView, Customer, SkippedLine
from bot.cart.pricing import totals
from bot.db import models as db
from bot.db.base import utcnow
from bot.db.session import begin_write
from bot.settings import get_settings
from bot.shops import ShopTerms, terms_of

MAX_WA_ID = 64


def _customer_record(row: db.Customer) -> Customer:
    return Customer(
        id=row.id, shop_id=row.shop_id, wa_id=row.wa_id, name=row.name, language=row.language
    )


def customer_row(
    session: Session,
    shop_id: int,
    wa_id: str,
    *,
    create: bool = True,
    name: str | None = None,
    language: str | None = None,
) -> db.Customer | None:
    """The shopper's row, created on first contact. Two first messages at once make one row."""
    if not wa_id or len(wa_id) > MAX_WA_ID or not wa_id.isprintable():
        raise InvalidCustomer(
            f"{wa_id!r} is not a shopper id (1 to {MAX_WA_ID} printable characters)"
        )
    query = select(db.Customer).where(db.Customer.shop_id == shop_id, db.Customer.wa_id == wa_id)
    row = session.scalar(query)
    if row is None and create:
        try:
            with session.begin_nested():
                row = db.Customer(
                    shop_id=shop_id, wa_id=wa_id, name=name or "", language=language or "en"
                )
                session.add(row)
        except IntegrityError:
            row = session.scalar(query)
    if row is not None:
        if name is not None and row.name != name:
            row.name = name
        if language is not None and row.language != language:
            row.language = language
    return row


def get_or_create_customer(
    session: Session,
    shop_id: int,
    wa_id: str,
    *,
    name: str | None = None,
    language: str | None = None,
) -> Customer:
    """`name` and `language`, when given, are remembered (the outbox writes in that language).
    A writer: on SQLite it takes the write lock, so call it (or any write service) before
    reading in a session that will write, or open the session with `session_scope(write=True)`."""
    begin_write(session)
    row = customer_row(session, shop_id, wa_id, name=name, language=language)
    assert row is not None
    return _customer_record(row)


def cart_row(session: Session, shop_id: int, customer: db.Customer, *, lock: bool) -> db.Cart:
    """The customer's cart, created when missing; `lock` holds its row until commit."""
    query = select(db.Cart).where(db.Cart.shop_id == shop_id, db.Cart.customer_id == customer.id)
    if lock:
        query = query.with_for_update()
    cart = session.scalar(query)
    if cart is None:
        try:
            with session.begin_nested():
                session.add(db.Cart(shop_id=shop_id, customer_id=customer.id))
        except IntegrityError:
            pass
        cart = session.scalar(query.execution_options(populate_existing=True))
        assert cart is not None
    return cart


def _writable_cart(session: Session, shop_id: int, wa_id: str) -> db.Cart:
    begin_write(session)
    customer = customer_row(session, shop_id, wa_id)
    assert customer is not None
    return cart_row(session, shop_id, customer, lock=True)


def _products(session: Session, shop_id: int, skus: Iterable[str]) -> dict[str, db.Product]:
    wanted = set(skus)
    rows = session.scalars(
        select(db.Product).where(
            db.Product.shop_id == shop_id,
            db.Product.sku.in_({s for s in wanted if s.isprintable()}),
        )
    ).all()
    found = {p.sku: p for p in rows}
    missing = sorted(sku for sku in wanted if sku not in found or not found[sku].active)
    if missing:
        raise UnknownProduct(f"not sold in this shop: {', '.join(missing)}", skus=missing)
    return found


def _check_count(sku: str, count: int, *, allow_zero: bool) -> None:
    limit = get_settings().max_count_per_line
    low = 0 if allow_zero else 1
    if not isinstance(count, int) or isinstance(count, bool) or not low <= count <= limit:
        raise InvalidCount(
            f"{sku}: {count!r} packs; a line holds {low} to {limit}", sku=sku, maximum=limit
        )


def _changed(cart: db.Cart) -> None:
    """Line changes do not touch the cart's own row: without this, `updated_at` would stay at
    the cart's creation and no report could tell when shoppers last filled their carts."""
    cart.updated_at = utcnow()


def _set_line(session: Session, cart: db.Cart, product: db.Product, count: int) -> None:
    line = next((ln for ln in cart.lines if ln.product_id == product.id), None)
    if count == 0:
        if line is not None:
            cart.lines.remove(line)
            _changed(cart)
        return
    if line is None:
        if len(cart.lines) >= get_settings().max_cart_lines:
            raise CartFull(
                f"a cart holds at most {get_settings().max_cart_lines} different products"
            )
        cart.lines.append(
            db.CartLine(shop_id=cart.shop_id, product_id=product.id, count=count, product=product)
        )
    else:
        line.count = count
    _changed(cart)


def add_packs(session: Session, shop_id: int, wa_id: str, packs: list[tuple[str, int]]) -> CartView:
    """Add `count` packs of each SKU, on top of what the cart already holds. All or nothing."""
    cart = _writable_cart(session, shop_id, wa_id)
    products = _products(session, shop_id, (sku for sku, _ in packs))
    merged: dict[str, int] = {}
    for sku, count in packs:
        _check_count(sku, count, allow_zero=False)
        merged[sku] = merged.get(sku, 0) + count
    have = {ln.product_id: ln.count for ln in cart.lines}
    for sku, count in merged.items():
        product = products[sku]
        new = have.get(product.id, 0) + count
        _check_count(sku, new, allow_zero=False)
        _set_line(session, cart, product, new)
    session.flush()
    return _view(session, cart, wa_id)


def set_count(session: Session, shop_id: int, wa_id: str, sku: str, count: int) -> CartView:
    """Make the line hold exactly `count` packs; 0 removes it."""
    cart = _writable_cart(session, shop_id, wa_id)
    _check_count(sku, count, allow_zero=True)
    if count == 0:
        return remove(session, shop_id, wa_id, sku)
    product = _products(session, shop_id, [sku])[sku]
    _set_line(session, cart, product, count)
    session.flush()
    return _view(session, cart, wa_id)


def remove(session: Session, shop_id: int, wa_id: str, sku: str) -> CartView:
    """Take the SKU out of the cart; removing what is not there is not an error."""
    cart = _writable_cart(session, shop_id, wa_id)
    for line in list(cart.lines):
        if line.product.sku == sku:
            cart.lines.remove(line)
            _changed(cart)
    session.flush()
    return _view(session, cart, wa_id)


def clear(session: Session, shop_id: int, wa_id: str) -> CartView:
    cart = _writable_cart(session, shop_id, wa_id)
    if cart.lines:
        cart.lines.clear()
        _changed(cart)
    session.flush()
    return _view(session, cart, wa_id)


def view(session: Session, shop_id: int, wa_id: str) -> CartView:
    """The cart as it stands, priced now. Looking creates nothing: an unknown shopper has an
    empty cart."""
    customer = customer_row(session, shop_id, wa_id, create=False)
    terms = terms_of(session.get(db.Shop, shop_id))
    if customer is None:
        return cart_view(wa_id, [], terms=terms)
    cart = session.scalar(
        select(db.Cart).where(db.Cart.shop_id == shop_id, db.Cart.customer_id == customer.id)
    )
    if cart is None:
        return cart_view(wa_id, [], terms=terms)
    return _view(session, cart, wa_id)


def _view(
    session: Session, cart: db.Cart, wa_id: str, skipped: tuple[SkippedLine, ...] = ()
) -> CartView:
    terms = terms_of(session.get(db.Shop, cart.shop_id))
    return cart_view(wa_id, [(ln.product, ln.count) for ln in cart.lines], skipped, terms)


def cart_view(
    wa_id: str,
    lines: list[tuple[db.Product, int]],
    skipped: tuple[SkippedLine, ...] = (),
    terms: ShopTerms | None = None,
) -> CartView:
    """The lines priced under the shop's `terms` (default: the platform's)."""
    out = tuple(
        CartLineView(
            sku=p.sku,
            name=p.name,
            brand=p.brand,
            pack_size=p.pack_size,
            pack_unit=p.pack_unit,
            count=count,
            unit_price_paise=p.price_paise,
            line_total_paise=p.price_paise * count,
            in_stock=p.active and p.stock >= count,
        )
        for p, count in lines
    )
    t = totals(sum(line.line_total_paise for line in out), terms=terms)
    return CartView(
        wa_id=wa_id,
        lines=out,
        subtotal_paise=t.subtotal_paise,
        delivery_fee_paise=t.delivery_fee_paise,
        total_paise=t.total_paise,
        minimum_order_paise=t.minimum_order_paise,
        below_minimum=t.below_minimum,
        skipped=skipped,
    )


def add_available(
    session: Session, shop_id: int, wa_id: str, wanted: list[tuple[int | None, str, str, int]]
) -> CartView:
    """Put back (product id, sku, name, count) lines as far as stock allows; report the rest.
    `reorder` uses it: a shopper repeating last week's order gets what the shop has today."""
    cart = _writable_cart(session, shop_id, wa_id)
    ids = [pid for pid, *_ in wanted if pid is not None]
    products = {
        p.id: p
        for p in session.scalars(
            select(db.Product).where(db.Product.shop_id == shop_id, db.Product.id.in_(ids))
        )
    }
    have = {ln.product_id: ln.count for ln in cart.lines}
    limit = get_settings().max_count_per_line
    skipped = []
    for pid, sku, name, count in wanted:
        product = products.get(pid) if pid is not None else None
        if product is None or not product.active:
            skipped.append(SkippedLine(sku, name, count, 0, "unavailable"))
            continue
        already = have.get(product.id, 0)
        add = max(0, min(count, product.stock - already, limit - already))
        if add < count:
            skipped.append(SkippedLine(sku, product.name, count, add, "out_of_stock"))
        if add:
            have[product.id] = already + add
            try:
                _set_line(session, cart, product, already + add)
            except CartFull:
                skipped.append(SkippedLine(sku, product.name, count, 0, "unavailable"))
    session.flush()
    return _view(session, cart, wa_id, tuple(skipped))
