"""What a merchant does with a group of misunderstood messages, and how it is undone.

- map to a product: the term becomes one of the product's aliases and the shop's catalog version
  moves, so every item engine (the bot's, `chatcart parse`'s) rebuilds before its next message —
  the fix works at once, no retraining;
- label with an intent, or mark out of scope: a training example for the next model;
- dismiss: nothing to learn.

Each closes the group's open items and is recorded with the merchant who did it. Undo removes
exactly what the action made (its alias, its example) and reopens exactly the items it closed,
and is recorded with the merchant who undid it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.db.base import as_utc
from bot.db.models import MerchantUser, Product, ProductAlias, ReviewItem, Shop
from bot.db.review_models import ReviewAction, ReviewActionItem, TrainingExample
from bot.db.session import begin_write
from bot.errors import Conflict, InvalidRequest, NotFound
from bot.review.intents import check_intent
from bot.review.queue import ITEM_KINDS, QUEUE_KINDS, suggested_term
from bot.review.text import digest, normalized_text

MAX_TERM = 200
CLOSES_AS = {
    "map_product": "mapped",
    "label_intent": "labelled",
    "out_of_scope": "out_of_scope",
    "dismiss": "dismissed",
}


@dataclass(frozen=True, slots=True)
class ActionView:
    id: int
    kind: str
    normalized: str
    term: str | None
    intent: str | None
    product_sku: str | None
    product_name: str | None
    items: int
    merchant: str
    created_at: datetime
    undone_by: str | None
    undone_at: datetime | None
    made_alias: bool
    made_example: bool


def map_to_product(
    session: Session,
    shop_id: int,
    normalized: str,
    sku: str,
    user_id: int,
    *,
    term: str | None = None,
) -> ReviewAction:
    """Add `term` (by default the group's suggested term) as an alias of product `sku`."""
    begin_write(session)
    _user(session, shop_id, user_id)
    product = session.scalar(
        select(Product).where(Product.shop_id == shop_id, Product.sku == sku.strip())
    )
    if product is None:
        raise NotFound(f"no product {sku!r} in this shop")
    items = _open_items(session, shop_id, normalized)
    if term is None:
        term = suggested_term(
            Counter(i.text for i in items).most_common(1)[0][0], {i.kind for i in items}
        )
    alias = normalized_text(term)
    if not alias or not any(ch.isalpha() for ch in alias):
        raise InvalidRequest("the term to map needs at least one letter")
    if len(alias) > MAX_TERM:
        raise InvalidRequest(f"the term to map is longer than {MAX_TERM} characters")
    made = None
    if alias not in {a.alias for a in product.aliases}:
        made = ProductAlias(
            shop_id=shop_id,
            alias=alias,
            source="merchant",
            created_by=_user(session, shop_id, user_id).username,
        )
        product.aliases.append(made)
        _bump(session, shop_id)
    action = _act(
        session,
        shop_id,
        "map_product",
        normalized,
        items + _same_item(session, shop_id, normalized, alias),
        user_id,
        term=alias,
        product_id=product.id,
    )
    session.flush()
    action.alias_id = made.id if made is not None else None
    session.flush()
    return action


def label(
    session: Session, shop_id: int, normalized: str, intent: str, user_id: int
) -> ReviewAction:
    """The group's message becomes a training example of `intent` (one of the domain's)."""
    check_intent(intent)
    return _example_action(session, shop_id, normalized, intent, "label_intent", user_id)


def mark_out_of_scope(
    session: Session, shop_id: int, normalized: str, user_id: int
) -> ReviewAction:
    """Something the shop does not do: an `out_of_scope` example, so the bot says so next time."""
    return _example_action(
        session, shop_id, normalized, check_intent("out_of_scope"), "out_of_scope", user_id
    )


def dismiss(session: Session, shop_id: int, normalized: str, user_id: int) -> ReviewAction:
    begin_write(session)
    _user(session, shop_id, user_id)
    items = _open_items(session, shop_id, normalized)
    return _act(session, shop_id, "dismiss", normalized, items, user_id)


def undo(session: Session, shop_id: int, action_id: int, user_id: int) -> ReviewAction:
    begin_write(session)
    _user(session, shop_id, user_id)
    action = session.scalar(
        select(ReviewAction)
        .where(ReviewAction.id == action_id, ReviewAction.shop_id == shop_id)
        .with_for_update()
    )
    if action is None:
        raise NotFound(f"no review action {action_id} in this shop")
    if action.undone_at is not None:
        raise Conflict(f"review action {action_id} was undone already")
    if action.alias_id is not None:
        alias = session.get(ProductAlias, action.alias_id)
        if alias is not None:
            session.delete(alias)
            _bump(session, shop_id)
        action.alias_id = None
    session.execute(delete(TrainingExample).where(TrainingExample.action_id == action.id))
    item_ids = select(ReviewActionItem.item_id).where(ReviewActionItem.action_id == action.id)
    for item in session.scalars(select(ReviewItem).where(ReviewItem.id.in_(item_ids))):
        if item.status == CLOSES_AS[action.kind]:
            item.status = "open"
    action.undone_at = datetime.now(UTC)
    action.undone_by = user_id
    session.flush()
    return action


def recent(session: Session, shop_id: int, limit: int = 20) -> list[ActionView]:
    """The shop's latest actions, newest first, with who did (and undid) them."""
    rows = session.scalars(
        select(ReviewAction)
        .where(ReviewAction.shop_id == shop_id)
        .order_by(ReviewAction.id.desc())
        .limit(limit)
    ).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    users = {
        u.id: u.display_name or u.username
        for u in session.scalars(
            select(MerchantUser).where(
                MerchantUser.id.in_(
                    {r.merchant_user_id for r in rows} | {r.undone_by for r in rows if r.undone_by}
                )
            )
        )
    }
    products = {
        p.id: p
        for p in session.scalars(
            select(Product).where(Product.id.in_({r.product_id for r in rows if r.product_id}))
        )
    }
    counts = Counter(
        session.scalars(
            select(ReviewActionItem.action_id).where(ReviewActionItem.action_id.in_(ids))
        )
    )
    examples = set(
        session.scalars(select(TrainingExample.action_id).where(TrainingExample.action_id.in_(ids)))
    )
    out = []
    for r in rows:
        product = products.get(r.product_id) if r.product_id else None
        out.append(
            ActionView(
                id=r.id,
                kind=r.kind,
                normalized=r.normalized,
                term=r.term,
                intent=r.intent,
                product_sku=product.sku if product else None,
                product_name=product.name if product else None,
                items=counts.get(r.id, 0),
                merchant=users.get(r.merchant_user_id, f"#{r.merchant_user_id}"),
                created_at=as_utc(r.created_at),
                undone_by=users.get(r.undone_by, f"#{r.undone_by}") if r.undone_by else None,
                undone_at=as_utc(r.undone_at) if r.undone_at else None,
                made_alias=r.alias_id is not None,
                made_example=r.id in examples,
            )
        )
    return out


def _example_action(
    session: Session, shop_id: int, normalized: str, intent: str, kind: str, user_id: int
) -> ReviewAction:
    begin_write(session)
    _user(session, shop_id, user_id)
    items = _open_items(session, shop_id, normalized)
    key = digest(normalized)
    existing = session.scalar(
        select(TrainingExample).where(
            TrainingExample.shop_id == shop_id, TrainingExample.digest == key
        )
    )
    if existing is not None and existing.intent != intent:
        raise Conflict(f"{normalized!r} is labelled {existing.intent!r} already; undo that first")
    action = _act(session, shop_id, kind, normalized, items, user_id, intent=intent)
    if existing is None:
        # The words as a shopper typed them, the most frequent spelling; the group's main language.
        text = Counter(" ".join(i.text.split()) for i in items).most_common(1)[0][0]
        language = Counter(i.language for i in items).most_common(1)[0][0]
        session.add(
            TrainingExample(
                shop_id=shop_id,
                text=text,
                normalized=normalized,
                digest=key,
                intent=intent,
                language=language,
                action_id=action.id,
                created_by=user_id,
            )
        )
        session.flush()
    return action


def _act(
    session: Session,
    shop_id: int,
    kind: str,
    normalized: str,
    items: list[ReviewItem],
    user_id: int,
    **fields: object,
) -> ReviewAction:
    action = ReviewAction(
        shop_id=shop_id, kind=kind, normalized=normalized, merchant_user_id=user_id, **fields
    )
    session.add(action)
    session.flush()
    for item in items:
        item.status = CLOSES_AS[kind]
        session.add(ReviewActionItem(action_id=action.id, item_id=item.id))
    session.flush()
    return action


def _same_item(session: Session, shop_id: int, normalized: str, alias: str) -> list[ReviewItem]:
    """Open item lines of other groups naming the same item ("desi khand 1 kilo" beside
    "2 kg desi khand"): the new alias answers them too, so the action closes (and its undo
    reopens) them as well."""
    like = f"%{alias.replace('%', '').replace('_', '')}%"
    candidates = session.scalars(
        select(ReviewItem)
        .where(
            ReviewItem.shop_id == shop_id,
            ReviewItem.status == "open",
            ReviewItem.kind.in_(ITEM_KINDS),
            ReviewItem.normalized != normalized,
            ReviewItem.normalized.like(like),
        )
        .order_by(ReviewItem.id)
        .limit(1000)
        .with_for_update()
    )
    return [i for i in candidates if suggested_term(i.text, {i.kind}) == alias]


def _open_items(session: Session, shop_id: int, normalized: str) -> list[ReviewItem]:
    items = list(
        session.scalars(
            select(ReviewItem)
            .where(
                ReviewItem.shop_id == shop_id,
                ReviewItem.normalized == normalized,
                ReviewItem.status == "open",
                ReviewItem.kind.in_(QUEUE_KINDS),
            )
            .order_by(ReviewItem.id)
            .with_for_update()
        )
    )
    if not items:
        raise NotFound(
            f"nothing open to review for {normalized!r}: another merchant may have acted on it"
        )
    return items


def _user(session: Session, shop_id: int, user_id: int) -> MerchantUser:
    user = session.get(MerchantUser, user_id)
    if user is None or user.shop_id != shop_id:
        raise NotFound(f"no merchant user {user_id} in this shop")
    return user


def _bump(session: Session, shop_id: int) -> None:
    """Item engines are cached per catalog version: moving it makes the next message see the change."""
    session.execute(
        update(Shop).where(Shop.id == shop_id).values(catalog_version=Shop.catalog_version + 1)
    )
