"""The handoff inbox: flagged conversations, the shop's replies, handing back to the bot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.models import ReviewItem
from bot.db.review_models import HandoffEvent
from bot.db.session import session_scope
from bot.errors import Conflict, InvalidRequest, NotFound
from bot.handoff import inbox
from bot.rasa_api import EngineClient, EngineError
from bot.review.service import record
from tests.bot.handoff.conftest import Shops, ask_for_a_person
from tests.bot.handoff.fake_engine import FakeEngine

WA = "919811112222"
NOW = datetime.now(UTC)


def test_flagged_conversations_newest_first_and_per_shop(shops: Shops) -> None:
    ask_for_a_person(shops.shop_id, WA, "shop wale bhaiya se baat karao", "mera order galat aaya")
    ask_for_a_person(shops.shop_id, "919833334444", "talk to a human", language="en")
    ask_for_a_person(shops.other_shop_id, "919855556666", "insaan chahiye")
    with session_scope() as s:
        record(s, shops.shop_id, kind="fallback", text="asdf", conversation_id="919877778888")
        mine = inbox.flagged(s, shops.shop_id)
        theirs = inbox.flagged(s, shops.other_shop_id)
    assert [f.conversation_id for f in mine] == ["919833334444", WA]
    assert (mine[1].messages, mine[1].last_text, mine[1].language) == (
        2,
        "mera order galat aaya",
        "hinglish",
    )
    assert mine[1].flagged_at <= mine[1].last_at
    assert [f.conversation_id for f in theirs] == ["919855556666"]


def test_the_conversation_as_the_engine_has_it_with_the_shops_replies(
    shops: Shops, fake_engine: FakeEngine
) -> None:
    ask_for_a_person(shops.shop_id, WA, "shop wale bhaiya se baat karao")
    fake_engine.said(
        WA,
        ("user", "2 kg atta"),
        ("bot", "Added 2 kg atta"),
        ("user", "shop wale bhaiya se baat karao"),
        ("bot", "Someone from the shop will reply"),
    )
    tracker = EngineClient(fake_engine.url)
    with session_scope() as s:
        event = inbox.record_reply(
            s,
            shops.shop_id,
            WA,
            "  Haan ji, bataiye  ",
            shops.user_id,
            last_inbound=NOW - timedelta(minutes=5),
        )
        assert event.text == "Haan ji, bataiye"
    with session_scope() as s:
        view = inbox.conversation(s, shops.shop_id, WA, tracker)
        with pytest.raises(NotFound):
            inbox.conversation(s, shops.other_shop_id, WA, tracker)
    assert view.flagged and view.bot_quiet is True and view.engine_error is None
    assert [(m.sender, m.text) for m in view.messages] == [
        ("shopper", "2 kg atta"),
        ("bot", "Added 2 kg atta"),
        ("shopper", "shop wale bhaiya se baat karao"),
        ("bot", "Someone from the shop will reply"),
        ("shop", "Haan ji, bataiye"),
    ]
    assert view.messages[-1].by == "Asha Rao"

    with session_scope() as s:  # the engine is down: what was recorded, and why that is all
        down = inbox.conversation(
            s, shops.shop_id, WA, EngineClient("http://127.0.0.1:9", timeout=2)
        )
    assert down.bot_quiet is None and "did not answer" in (down.engine_error or "")
    assert down.messages[-1].sender == "shop"
    assert [(m.sender, m.text) for m in down.messages] == [
        ("shopper", "shop wale bhaiya se baat karao"),
        ("shop", "Haan ji, bataiye"),
    ]


def test_hand_back_sets_the_slot_through_the_tracker_api_and_closes_the_flag(
    shops: Shops, fake_engine: FakeEngine
) -> None:
    ask_for_a_person(shops.shop_id, WA, "talk to the shop", "hello?")
    fake_engine.said(WA, ("user", "talk to the shop"))
    tracker = EngineClient(fake_engine.url)
    with session_scope() as s:
        with pytest.raises(NotFound):  # not the other shop's merchant
            inbox.release(s, shops.shop_id, WA, shops.other_user_id, tracker)
        with pytest.raises(NotFound):
            inbox.release(s, shops.other_shop_id, WA, shops.other_user_id, tracker)
    assert fake_engine.posted == []

    fake_engine.fail_with = 500
    with session_scope() as s, pytest.raises(EngineError):
        inbox.release(s, shops.shop_id, WA, shops.user_id, tracker)
    with session_scope() as s:
        assert [f.conversation_id for f in inbox.flagged(s, shops.shop_id)] == [
            WA
        ]  # nothing changed

    fake_engine.fail_with = None
    with session_scope() as s:
        inbox.release(s, shops.shop_id, WA, shops.user_id, tracker)
    assert fake_engine.posted[-1] == (WA, {"event": "slot", "name": "handoff", "value": False})
    assert fake_engine.tracker(WA)["slots"]["handoff"] is False
    with session_scope() as s:
        assert inbox.flagged(s, shops.shop_id) == []
        assert set(s.scalars(select(ReviewItem.status))) == {"released"}
        event = s.scalar(select(HandoffEvent).where(HandoffEvent.kind == "release"))
        assert (event.merchant_user_id, event.conversation_id) == (shops.user_id, WA)
        view = inbox.conversation(s, shops.shop_id, WA, tracker)
        assert not view.flagged and view.bot_quiet is False and view.released[0][1] == "Asha Rao"
        with pytest.raises(NotFound):  # nothing left to hand back
            inbox.release(s, shops.shop_id, WA, shops.user_id, tracker)

    ask_for_a_person(shops.shop_id, WA, "phir se baat karni hai")  # asked again: flagged again
    with session_scope() as s:
        assert [f.messages for f in inbox.flagged(s, shops.shop_id)] == [1]


def test_a_reply_needs_a_whatsapp_shopper_inside_the_window(shops: Shops) -> None:
    ask_for_a_person(shops.shop_id, WA, "talk to the shop")
    with session_scope() as s:
        with pytest.raises(Conflict, match="never written"):
            inbox.record_reply(s, shops.shop_id, WA, "hello", shops.user_id, last_inbound=None)
        with pytest.raises(Conflict, match="25 hours ago"):
            inbox.record_reply(
                s,
                shops.shop_id,
                WA,
                "hello",
                shops.user_id,
                last_inbound=NOW - timedelta(hours=25),
                now=NOW,
            )
        for text in ("   ", "x" * 4097):
            with pytest.raises(InvalidRequest):
                inbox.record_reply(s, shops.shop_id, WA, text, shops.user_id, last_inbound=NOW)
        with pytest.raises(NotFound):
            inbox.record_reply(
                s, shops.shop_id, "919800000000", "hello", shops.user_id, last_inbound=NOW
            )
        with pytest.raises(NotFound):
            inbox.record_reply(
                s, shops.other_shop_id, WA, "hello", shops.other_user_id, last_inbound=NOW
            )
        assert s.scalar(select(HandoffEvent)) is None


def test_the_engine_token_is_sent_and_never_shown(shops: Shops) -> None:
    engine = FakeEngine(token="s3cret-token")
    try:
        engine.said(WA, ("user", "talk to the shop"))
        assert EngineClient(engine.url, "s3cret-token").tracker(WA)["slots"]["handoff"] is True
        with pytest.raises(EngineError) as refused:
            EngineClient(engine.url, "wrong-token").hand_back(WA)
        assert "401" in refused.value.detail
        assert (
            "s3cret-token" not in refused.value.detail and "wrong-token" not in refused.value.detail
        )
        assert engine.tracker(WA)["slots"]["handoff"] is True
    finally:
        engine.close()
