"""A merchant's fixes: effective at once, attributed, and undone exactly."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from actions.runtime import ENGINES
from bot.db.models import ProductAlias, ReviewItem, Shop
from bot.db.review_models import ReviewAction, TrainingExample
from bot.db.session import session_scope
from bot.errors import Conflict, InvalidRequest, NotFound
from bot.review import fixes, queue
from cli.shop import engine_from_db
from tests.bot.review.conftest import ReviewShop, misunderstood

TERM = "2 kg mota chawal"


def _resolved(text: str) -> tuple[str, str | None]:
    """What the bot's own item engine makes of `text` (the cached one, as actions use it)."""
    with session_scope() as s:
        shop = s.scalar(select(Shop).where(Shop.slug == "default"))
        engine, _ = ENGINES.get(s, shop)
    [line] = engine.parse(text).lines
    product = line.resolution.product
    return line.resolution.status, product.sku if product else None


def _version(shop_id: int) -> int:
    with session_scope() as s:
        return s.get(Shop, shop_id).catalog_version


def _statuses(shop_id: int) -> dict[str, set[str]]:
    with session_scope() as s:
        out: dict[str, set[str]] = {}
        for item in s.scalars(select(ReviewItem).where(ReviewItem.shop_id == shop_id)):
            out.setdefault(item.normalized, set()).add(item.status)
        return out


def test_mapping_a_term_works_in_the_very_next_message_and_undo_takes_it_back(
    review_shop: ReviewShop,
) -> None:
    misunderstood(
        review_shop.shop_id,
        ("unmatched", TERM, "hinglish", "911"),
        ("unmatched", "2 kg Mota  Chawal", "hinglish", "912"),
        ("unmatched", "mota chawal 5 kilo", "hinglish", "913"),  # the same item, other words
        ("fallback", "mota chawal hai kya", "hinglish", "914"),  # a whole message: left alone
        ("unmatched", "mota chawal poha", "hinglish", "915"),
    )  # another item
    assert _resolved(TERM)[0] == "unmatched"  # the engine is built and cached now
    before = _version(review_shop.shop_id)
    with session_scope() as s:
        action = fixes.map_to_product(
            s, review_shop.shop_id, "2 kg mota chawal", "RIC-0037", review_shop.user_id
        )
        action_id = action.id
    assert action.term == "mota chawal" and action.alias_id is not None
    assert _version(review_shop.shop_id) == before + 1
    assert _resolved(TERM) == ("matched", "RIC-0037")
    assert _resolved("mota chawal 5 kg")[1] in ("RIC-0037", "RIC-0038")  # same product, other pack
    assert [line.resolution.product.sku for line in engine_from_db().parse(TERM).lines] == [
        "RIC-0037"
    ]
    assert _statuses(review_shop.shop_id) == {
        "2 kg mota chawal": {"mapped"},
        "mota chawal 5 kilo": {"mapped"},
        "mota chawal hai kya": {"open"},
        "mota chawal poha": {"open"},
    }
    with session_scope() as s:
        alias = s.scalar(select(ProductAlias).where(ProductAlias.alias == "mota chawal"))
        assert alias is not None and alias.source == "merchant" and alias.created_by == "asha"
        assert queue.groups(s, review_shop.shop_id).total == 2

    with session_scope() as s:
        undone = fixes.undo(s, review_shop.shop_id, action_id, review_shop.user_id)
        assert undone.undone_by == review_shop.user_id and undone.undone_at is not None
    assert _version(review_shop.shop_id) == before + 2
    assert _resolved(TERM)[0] == "unmatched"
    assert set().union(*_statuses(review_shop.shop_id).values()) == {"open"}
    with session_scope() as s:
        assert s.scalar(select(ProductAlias).where(ProductAlias.alias == "mota chawal")) is None
        [view] = fixes.recent(s, review_shop.shop_id)
    assert (view.kind, view.merchant, view.undone_by, view.items, view.product_sku) == (
        "map_product",
        "Asha Rao",
        "Asha Rao",
        3,
        "RIC-0037",
    )
    with session_scope() as s, pytest.raises(Conflict):
        fixes.undo(s, review_shop.shop_id, action_id, review_shop.user_id)


def test_a_term_of_the_merchants_own_choosing(review_shop: ReviewShop) -> None:
    misunderstood(
        review_shop.shop_id, ("fallback", "bhaiya woh mota wala chawal dena", "hinglish", "1")
    )
    with session_scope() as s:
        with pytest.raises(InvalidRequest):
            fixes.map_to_product(
                s,
                review_shop.shop_id,
                "bhaiya woh mota wala chawal dena",
                "RIC-0037",
                review_shop.user_id,
                term="  2 ",
            )
        action = fixes.map_to_product(
            s,
            review_shop.shop_id,
            "bhaiya woh mota wala chawal dena",
            "RIC-0037",
            review_shop.user_id,
            term="Mota  Chawal",
        )
        assert action.term == "mota chawal"
    assert _resolved(TERM) == ("matched", "RIC-0037")


def test_labels_become_training_examples_and_undo_removes_exactly_them(
    review_shop: ReviewShop,
) -> None:
    misunderstood(
        review_shop.shop_id,
        ("fallback", "Mera saaman kab aayega?", "hinglish", "1"),
        ("low_confidence", "mera saaman kab aayega ?", "hinglish", "2"),
        ("fallback", "mera saaman kab aayega?", "en", "3"),
        ("fallback", "asdf qwerty", "en", "4"),
        ("out_of_scope", "tell me a joke", "en", "5"),
    )
    with session_scope() as s:
        with pytest.raises(InvalidRequest):
            fixes.label(
                s,
                review_shop.shop_id,
                "mera saaman kab aayega ?",
                "track_parcel",
                review_shop.user_id,
            )
        label = fixes.label(
            s, review_shop.shop_id, "mera saaman kab aayega ?", "order_status", review_shop.user_id
        )
        joke = fixes.mark_out_of_scope(
            s, review_shop.shop_id, "tell me a joke", review_shop.user_id
        )
        fixes.dismiss(s, review_shop.shop_id, "asdf qwerty", review_shop.user_id)
        label_id, joke_id = label.id, joke.id
    with session_scope() as s:
        examples = {e.normalized: e for e in s.scalars(select(TrainingExample))}
    assert set(examples) == {"mera saaman kab aayega ?", "tell me a joke"}
    order = examples["mera saaman kab aayega ?"]
    assert (order.intent, order.language, order.created_by, order.action_id) == (
        "order_status",
        "hinglish",
        review_shop.user_id,
        label_id,
    )
    assert order.text in (
        "mera saaman kab aayega?",
        "Mera saaman kab aayega?",
        "mera saaman kab aayega ?",
    )
    assert examples["tell me a joke"].intent == "out_of_scope"
    assert _statuses(review_shop.shop_id) == {
        "mera saaman kab aayega ?": {"labelled"},
        "tell me a joke": {"out_of_scope"},
        "asdf qwerty": {"dismissed"},
    }

    # The same words come again before the next model: shown as labelled, and not labelled twice.
    misunderstood(
        review_shop.shop_id,
        ("fallback", "mera saaman kab aayega", "hinglish", "6"),
        ("fallback", "Mera saaman kab aayega ?", "hinglish", "7"),
    )
    with session_scope() as s:
        again = queue.group(s, review_shop.shop_id, "mera saaman kab aayega ?")
        assert again is not None and again.labelled_as == "order_status" and again.count == 1
        with pytest.raises(Conflict):
            fixes.label(
                s, review_shop.shop_id, "mera saaman kab aayega ?", "help", review_shop.user_id
            )
        fixes.label(
            s, review_shop.shop_id, "mera saaman kab aayega ?", "order_status", review_shop.user_id
        )
    with session_scope() as s:
        assert s.scalar(
            select(TrainingExample.id).where(
                TrainingExample.normalized == "mera saaman kab aayega ?"
            )
        )

    with session_scope() as s:
        fixes.undo(s, review_shop.shop_id, label_id, review_shop.user_id)
        fixes.undo(s, review_shop.shop_id, joke_id, review_shop.user_id)
    with session_scope() as s:
        assert list(s.scalars(select(TrainingExample))) == []
        reopened = s.scalars(
            select(ReviewItem.conversation_id).where(ReviewItem.status == "open")
        ).all()
    # The three the label closed and the joke, and "6" (other words) that nobody closed; not the
    # one a later action closed, not the dismissed.
    assert sorted(reopened) == ["1", "2", "3", "5", "6"]


def test_nothing_crosses_shops_or_acts_twice(review_shop: ReviewShop) -> None:
    misunderstood(review_shop.shop_id, ("unmatched", TERM, "en", "1"))
    misunderstood(review_shop.other_shop_id, ("unmatched", TERM, "en", "2"))
    shop, other = review_shop.shop_id, review_shop.other_shop_id
    with session_scope() as s:
        with pytest.raises(NotFound):  # a merchant of the other shop
            fixes.dismiss(s, shop, "2 kg mota chawal", review_shop.other_user_id)
        with pytest.raises(NotFound):  # the other shop has only rice
            fixes.map_to_product(
                s, other, "2 kg mota chawal", "DRY-0002", review_shop.other_user_id
            )
        with pytest.raises(NotFound):
            fixes.dismiss(s, shop, "never said", review_shop.user_id)
        action = fixes.map_to_product(s, shop, "2 kg mota chawal", "RIC-0037", review_shop.user_id)
        with pytest.raises(NotFound):  # already closed
            fixes.dismiss(s, shop, "2 kg mota chawal", review_shop.user_id)
        with pytest.raises(NotFound):
            fixes.undo(s, other, action.id, review_shop.other_user_id)
        other_alias = s.scalar(
            select(ProductAlias).where(
                ProductAlias.alias == "mota chawal", ProductAlias.shop_id == other
            )
        )
        assert other_alias is None
        assert s.scalar(select(ReviewItem.status).where(ReviewItem.shop_id == other)) == "open"
        assert fixes.recent(s, other) == []
        assert s.scalar(select(ReviewAction.merchant_user_id)) == review_shop.user_id
