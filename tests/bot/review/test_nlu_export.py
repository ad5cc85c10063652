"""Labelled examples become Rasa NLU files: de-duplicated, with their language, deterministic."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select

from bot.db.review_models import TrainingExample
from bot.db.session import session_scope
from bot.review import fixes
from bot.review.export import MARK, existing_examples, export, plain_text
from bot.settings import PROJECT_ROOT
from tests.bot.review.conftest import ReviewShop, misunderstood

NLU = PROJECT_ROOT / "data" / "nlu"


def _label(shop_id: int, user_id: int, text: str, intent: str, language: str = "en") -> int:
    misunderstood(shop_id, ("fallback", text, language, "c"))
    with session_scope() as s:
        from bot.review.text import normalized_text

        return fixes.label(s, shop_id, normalized_text(text), intent, user_id).id


def _read(path: Path) -> list[tuple[str, str | None]]:
    data = yaml.safe_load(path.read_text("utf-8"))
    assert data["version"] == "3.1"
    [entry] = data["nlu"]
    assert entry["intent"] == path.stem
    return [
        (e["text"].strip(), (e.get("metadata") or {}).get("language")) for e in entry["examples"]
    ]


def test_existing_examples_are_read_without_their_entity_annotations() -> None:
    existing = existing_examples(NLU)
    assert existing["2 kg atta and milk"][0] == "add_items"
    assert existing["bitcoin kya hai"] == ("out_of_scope", NLU / "out_of_scope.yml")
    assert plain_text('[2](quantity) [kg]{"entity": "unit"} [atta](product:aata)') == "2 kg atta"


def test_export_writes_one_file_per_intent_deduplicated_with_languages(
    review_shop: ReviewShop, tmp_path: Path
) -> None:
    shop, user = review_shop.shop_id, review_shop.user_id
    other, other_user = review_shop.other_shop_id, review_shop.other_user_id
    _label(shop, user, "Mera saaman kab   aayega?", "order_status", "hinglish")
    _label(
        other, other_user, "mera saaman kab aayega ?", "order_status", "hinglish"
    )  # the same, twice
    _label(shop, user, "मेरा ऑर्डर कहाँ है भाई", "order_status", "hi")
    _label(shop, user, "thanks [bhaiya](x)", "goodbye")
    _label(shop, user, "BITCOIN kya hai", "out_of_scope")  # data/nlu has it already
    _label(shop, user, "2 kg atta and milk", "help")  # data/nlu says add_items
    _label(shop, user, "kal aana", "goodbye")
    _label(other, other_user, "kal aana", "deny")  # shops disagree
    out = tmp_path / "reviewed"
    with session_scope() as s:
        report = export(s, out, NLU, root=PROJECT_ROOT)
    assert [(p.name, n) for p, n in report.written] == [("goodbye.yml", 1), ("order_status.yml", 2)]
    assert sorted(p.name for p in out.iterdir()) == ["goodbye.yml", "order_status.yml"]
    assert _read(out / "order_status.yml") == [
        ("Mera saaman kab aayega?", "hinglish"),
        ("मेरा ऑर्डर कहाँ है भाई", "hi"),
    ]
    assert _read(out / "goodbye.yml") == [("thanks (bhaiya)(x)", "en")]  # not an entity annotation
    reasons = {s.text: s.reason for s in report.skipped}
    assert reasons["BITCOIN kya hai"] == "already in data/nlu/out_of_scope.yml"
    assert reasons["2 kg atta and milk"].startswith("data/nlu/add_items.yml has it as 'add_items'")
    assert "labelled differently by different shops" in reasons["kal aana"]
    assert (out / "goodbye.yml").read_text("utf-8").startswith(MARK)

    first = {p.name: p.read_bytes() for p in out.iterdir()}
    with session_scope() as s:
        again = export(s, out, NLU, root=PROJECT_ROOT)
        assert again.written == () and len(again.unchanged) == 2
        only_other = export(s, tmp_path / "other", NLU, shop_id=other)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first
    assert [(p.name, n) for p, n in only_other.written] == [
        ("deny.yml", 1),
        ("order_status.yml", 1),
    ]

    with session_scope() as s:
        goodbye = s.scalar(
            select(TrainingExample.action_id).where(
                TrainingExample.intent == "goodbye", TrainingExample.shop_id == shop
            )
        )
        fixes.undo(s, shop, goodbye, user)
        fixes.undo(
            s,
            other,
            s.scalar(select(TrainingExample.action_id).where(TrainingExample.intent == "deny")),
            other_user,
        )
        after = export(s, out, NLU, root=PROJECT_ROOT)
    # "kal aana" is no longer disputed: goodbye.yml now holds it alone.
    assert [p.name for p, _ in after.written] == ["goodbye.yml"]
    assert _read(out / "goodbye.yml") == [("kal aana", "en")]


def test_files_it_did_not_write_are_left_alone_and_stale_ones_removed(
    review_shop: ReviewShop, tmp_path: Path
) -> None:
    out = tmp_path / "reviewed"
    out.mkdir()
    (out / "greet.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - namaste ji\n'
    )
    (out / "help.yml").write_text(f'{MARK} earlier\nversion: "3.1"\nnlu: []\n')
    action = _label(review_shop.shop_id, review_shop.user_id, "namaste ji", "greet")
    with session_scope() as s:
        report = export(s, out, tmp_path)  # the hand-written greet.yml is NLU data like any other
        assert [sk.reason for sk in report.skipped] == [f"already in {out / 'greet.yml'}"]
        assert report.removed == (out / "help.yml",)
        fixes.undo(s, review_shop.shop_id, action, review_shop.user_id)
        export(s, out, tmp_path)
    assert sorted(p.name for p in out.iterdir()) == ["greet.yml"]
