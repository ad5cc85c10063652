"""The review queue pages: groups, filters, the fixes and their undo, one shop at a time."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.catalog.store import ensure_shop
from bot.db.models import ProductAlias, ReviewItem
from bot.db.review_models import ReviewAction, TrainingExample
from bot.db.session import session_scope
from bot.review.service import record
from cli.shop import engine_from_db
from tests.api.console.conftest import Console, log_in, make_merchant, session_csrf


def misunderstood(shop_id: int, *items: tuple[str, str, str, str]) -> None:
    with session_scope(write=True) as s:
        for kind, text, language, conversation in items:
            record(
                s,
                shop_id,
                kind=kind,
                text=text,
                language=language,
                conversation_id=conversation,
                prediction="greet" if kind == "fallback" else None,
                details={"message": f"{text} bhej do", "candidates": ["STP-0029"]}
                if kind == "unmatched"
                else None,
            )


def resolves(text: str) -> tuple[str, str | None]:
    [line] = engine_from_db().parse(text).lines
    return line.resolution.status, line.resolution.product.sku if line.resolution.product else None


def notice(response) -> str:
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(response.headers["location"]).query)
    return (query.get("notice") or query.get("error") or [""])[0]


def test_the_queue_groups_and_filters(shop_id: int, console: Console) -> None:
    misunderstood(
        shop_id,
        ("unmatched", "2 kg desi khand", "hinglish", "919800000001"),
        ("unmatched", "2 KG Desi  Khand", "hinglish", "919800000002"),
        ("fallback", "kya aap sunday ko khule ho", "hinglish", "919800000003"),
        ("low_confidence", "what time do you close", "en", "919800000004"),
        ("handoff", "talk to a person", "en", "919800000005"),
    )
    page = console.get("/merchant/review")
    assert page.status_code == 200
    assert "3 groups" in page.text and "talk to a person" not in page.text
    first = page.text.index("2 kg desi khand")
    assert first < page.text.index("kya aap sunday ko khule ho")  # most frequent first
    assert (
        "2×" in page.text
        and "2 KG Desi  Khand bhej do" in page.text
        and "+919800000002" in page.text
    )
    assert 'value="desi khand"' in page.text  # the search box starts from the item words
    only_en = console.get("/merchant/review?language=en")
    assert "1 group." in only_en.text and "what time do you close" in only_en.text
    unsure = console.get("/merchant/review?kind=low_confidence")
    assert "kya aap sunday" not in unsure.text
    odd = console.get("/merchant/review?kind=nonsense&status=gone")
    assert odd.status_code == 200 and "not applied" in odd.text and "3 groups" in odd.text


def test_map_a_term_from_the_search_and_undo_it(shop_id: int, console: Console) -> None:
    misunderstood(shop_id, ("unmatched", "2 kg desi khand", "hinglish", "919800000001"))
    assert resolves("2 kg desi khand")[0] == "unmatched"
    found = console.get(
        "/merchant/review/map", params={"text": "2 kg desi khand", "q": "sugar loose"}
    )
    assert found.status_code == 200
    assert 'value="STP-0029"' in found.text and "Sugar (loose)" in found.text
    assert 'value="desi khand"' in found.text  # the term, editable

    missing = console.post(
        "/merchant/review/map", {"text": "2 kg desi khand", "term": "desi khand"}
    )
    assert missing.status_code == 422 and "Choose the product" in missing.text
    done = console.post(
        "/merchant/review/map",
        {
            "text": "2 kg desi khand",
            "term": "desi khand",
            "sku": "STP-0029",
            "back": "/merchant/review?sort=recent",
        },
    )
    assert done.status_code == 303 and done.headers["location"].startswith(
        "/merchant/review?sort=recent"
    )
    assert "“desi khand” now means Sugar (loose) 1 kg" in notice(done)
    assert resolves("2 kg desi khand") == ("matched", "STP-0029")
    assert resolves("desi khand")[1] == "STP-0029"

    page = console.get("/merchant/review")
    assert "0 groups" in page.text
    action_id = int(re.search(r'data-action="(\d+)"', page.text).group(1))
    assert "Owner," in page.text and "(alias “desi khand”)" in page.text
    undone = console.post(f"/merchant/review/actions/{action_id}/undo")
    assert undone.status_code == 303 and "alias “desi khand” is removed" in notice(undone)
    assert resolves("2 kg desi khand")[0] == "unmatched"
    page = console.get("/merchant/review")
    assert "1 group." in page.text and "undone by Owner" in page.text
    again = console.post(f"/merchant/review/actions/{action_id}/undo")
    assert "undone already" in notice(again)


def test_label_out_of_scope_and_dismiss(shop_id: int, console: Console) -> None:
    misunderstood(
        shop_id,
        ("fallback", "kya aap sunday ko khule ho", "hinglish", "1"),
        ("fallback", "tell me a joke", "en", "2"),
        ("fallback", "asdfgh", "en", "3"),
    )
    refused = console.post(
        "/merchant/review/label", {"text": "kya aap sunday ko khule ho", "intent": "opening_hours"}
    )
    assert "not an intent of the assistant" in notice(refused)
    labelled = console.post(
        "/merchant/review/label", {"text": "kya aap sunday ko khule ho", "intent": "help"}
    )
    assert "is labelled help" in notice(labelled)
    console.post("/merchant/review/out-of-scope", {"text": "tell me a joke"})
    console.post("/merchant/review/dismiss", {"text": "asdfgh"})
    gone = console.post("/merchant/review/dismiss", {"text": "asdfgh"})
    assert "nothing open to review" in notice(gone).lower()
    with session_scope() as s:
        assert dict(
            s.execute(select(TrainingExample.normalized, TrainingExample.intent)).tuples().all()
        ) == {"kya aap sunday ko khule ho": "help", "tell me a joke": "out_of_scope"}
        assert set(s.scalars(select(ReviewItem.status))) == {
            "labelled",
            "out_of_scope",
            "dismissed",
        }
    done = console.get("/merchant/review?status=closed")
    assert "3 groups" in done.text and "Label</button>" not in done.text
    labelled_only = console.get("/merchant/review?status=labelled").text
    assert "1 group." in labelled_only and "kya aap sunday ko khule ho" in labelled_only


def test_forms_return_only_to_the_queue(shop_id: int, console: Console) -> None:
    misunderstood(shop_id, ("fallback", "asdfgh", "en", "3"))
    for back in (
        "https://evil.example/",
        "//evil.example",
        "/merchant/review\\@evil",
        "/merchant/orders",
    ):
        response = console.post("/merchant/review/dismiss", {"text": "asdfgh", "back": back})
        assert response.headers["location"].split("?")[0] == "/merchant/review", back


def test_another_shops_merchant_sees_and_undoes_nothing(
    shop_id: int, console: Console, app_client: TestClient
) -> None:
    misunderstood(shop_id, ("unmatched", "2 kg desi khand", "hinglish", "919800000001"))
    console.post(
        "/merchant/review/map", {"text": "2 kg desi khand", "term": "desi khand", "sku": "STP-0029"}
    )
    with session_scope(write=True) as s:
        other = ensure_shop(s, "other", "Other Kirana").id
    make_merchant(other, "ravi")
    from api.main import create_app

    with TestClient(create_app(), base_url="http://127.0.0.1") as client:
        assert log_in(client, "ravi").status_code == 303
        intruder = Console(client, "ravi", session_csrf("ravi"))
        page = intruder.get("/merchant/review")
        assert "desi khand" not in page.text and "0 groups" in page.text
        with session_scope() as s:
            action_id = s.scalar(select(ReviewAction.id))
        refused = intruder.post(f"/merchant/review/actions/{action_id}/undo")
        assert "no review action" in notice(refused).lower()
        assert (
            intruder.get("/merchant/review/map", params={"text": "2 kg desi khand"}).status_code
            == 404
        )
        misunderstood(shop_id, ("fallback", "mine only", "en", "1"))
        assert (
            "nothing open"
            in notice(intruder.post("/merchant/review/dismiss", {"text": "mine only"})).lower()
        )
    with session_scope() as s:
        assert (
            s.scalar(select(ProductAlias.id).where(ProductAlias.alias == "desi khand")) is not None
        )
        assert s.scalar(select(ReviewAction.undone_at)) is None
        assert s.scalar(select(ReviewItem.status).where(ReviewItem.text == "mine only")) == "open"
