"""The review queue groups a shop's misunderstood messages by their normalised text."""

from __future__ import annotations

import pytest

from bot.db.session import session_scope
from bot.errors import InvalidRequest
from bot.review import queue
from tests.bot.review.conftest import ReviewShop, misunderstood


def test_messages_are_grouped_by_normalised_text_with_counts_languages_and_conversations(
    review_shop: ReviewShop,
) -> None:
    misunderstood(
        review_shop.shop_id,
        ("unmatched", "2 kg mota chawal", "hinglish", "911"),
        ("unmatched", "2 KG  Mota Chawal", "hinglish", "912"),
        ("fallback", "2 kg mota chawal", "en", "913"),
        ("fallback", "where is my parcel", "en", "914"),
        ("handoff", "talk to a person", "en", "915"),
    )
    with session_scope() as s:
        page = queue.groups(s, review_shop.shop_id)
    assert page.total == 2
    first, second = page.groups
    assert first.normalized == "2 kg mota chawal" and first.count == 3
    assert dict(first.languages) == {"hinglish": 2, "en": 1}
    assert dict(first.kinds) == {"unmatched": 2, "fallback": 1}
    assert first.conversations == ("913", "912", "911")  # newest first
    assert [e.conversation_id for e in first.examples] == ["913", "912", "911"]
    assert (
        first.examples[1].text == "2 KG  Mota Chawal"
        and first.examples[1].message == "2 KG  Mota Chawal please"
    )
    assert first.term == "mota chawal"  # the quantity is not part of the alias
    assert first.candidates == ("RIC-0037",)
    assert first.predictions == (("add_items", 1),)
    assert second.normalized == "where is my parcel" and second.term == "where is my parcel"
    assert first.last_seen >= first.first_seen


def test_order_filters_and_paging(review_shop: ReviewShop) -> None:
    misunderstood(
        review_shop.shop_id,
        ("fallback", "kya haal", "hinglish", "1"),
        ("fallback", "kya haal", "hinglish", "2"),
        ("low_confidence", "abcd", "en", "3"),
        ("correction", "nahi mera matlab doodh", "hinglish", "4"),
    )
    with session_scope() as s:
        frequent = [g.normalized for g in queue.groups(s, review_shop.shop_id).groups]
        recent = [g.normalized for g in queue.groups(s, review_shop.shop_id, sort="recent").groups]
        only_en = queue.groups(s, review_shop.shop_id, language="en")
        corrections = queue.groups(s, review_shop.shop_id, kinds=("correction",))
        second_page = queue.groups(s, review_shop.shop_id, limit=1, offset=1)
        closed = queue.groups(s, review_shop.shop_id, status="closed")
        assert frequent[0] == "kya haal" and recent[0] == "nahi mera matlab doodh"
        assert [g.normalized for g in only_en.groups] == ["abcd"]
        assert [g.normalized for g in corrections.groups] == ["nahi mera matlab doodh"]
        assert second_page.total == 3 and len(second_page.groups) == 1
        assert second_page.groups[0].normalized == frequent[1]
        assert closed.total == 0
        assert queue.languages(s, review_shop.shop_id) == ["en", "hinglish"]
        for bad in (
            {"kinds": ("handoff",)},
            {"kinds": ("nonsense",)},
            {"status": "gone"},
            {"sort": "alpha"},
        ):
            with pytest.raises(InvalidRequest):
                queue.groups(s, review_shop.shop_id, **bad)


def test_a_shop_sees_only_its_own_queue(review_shop: ReviewShop) -> None:
    misunderstood(review_shop.shop_id, ("fallback", "mine", "en", "1"))
    misunderstood(review_shop.other_shop_id, ("fallback", "theirs", "en", "2"))
    with session_scope() as s:
        assert [g.normalized for g in queue.groups(s, review_shop.shop_id).groups] == ["mine"]
        assert [g.normalized for g in queue.groups(s, review_shop.other_shop_id).groups] == [
            "theirs"
        ]
        assert queue.group(s, review_shop.shop_id, "theirs") is None
        assert queue.group(s, review_shop.shop_id, "mine") is not None
