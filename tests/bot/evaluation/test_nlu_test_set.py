"""The fixed NLU test set (data/eval/nlu.yml): it is the promotion gate, so it must cover every
intent in every language and never be trained on."""

from __future__ import annotations

from collections import Counter

import yaml

from bot.evaluation.messages import Span, comparable, parse_markup, read_nlu
from bot.settings import PROJECT_ROOT
from cli.engine import TRAINING_DATA

TEST_SET = PROJECT_ROOT / "data" / "eval" / "nlu.yml"


def test_markup_becomes_plain_text_with_spans() -> None:
    text, spans = parse_markup("[दो](quantity) [किलो](unit) [सरसों का तेल](product) चाहिए")
    assert text == "दो किलो सरसों का तेल चाहिए"
    assert spans == (
        Span("quantity", 0, 2, "दो"),
        Span("unit", 3, 7, "किलो"),
        Span("product", 8, 20, "सरसों का तेल"),
    )
    text, spans = parse_markup('add [2](quantity:two) [tata salt]{"entity": "product"} please')
    assert text == "add 2 tata salt please"
    assert [(s.entity, text[s.start : s.end]) for s in spans] == [
        ("quantity", "2"),
        ("product", "tata salt"),
    ]


def test_every_intent_in_every_language() -> None:
    messages = read_nlu(TEST_SET)
    intents = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text("utf-8"))["intents"]
    assert len(messages) >= 150
    per = Counter((m.intent, m.language) for m in messages)
    for intent in intents:
        for language in ("en", "hi", "hinglish"):
            assert per[intent, language] >= 3, (intent, language)
    assert {m.intent for m in messages} == set(intents)


def test_no_test_message_is_in_the_training_data() -> None:
    trained_on = {
        comparable(m.text)
        for entry in TRAINING_DATA
        for m in read_nlu(PROJECT_ROOT / entry)
        if (PROJECT_ROOT / entry).exists()
    }
    overlap = [m.text for m in read_nlu(TEST_SET) if comparable(m.text) in trained_on]
    assert overlap == [], f"data/eval/nlu.yml messages found in the training data: {overlap}"


def test_the_test_set_is_outside_what_rasa_train_reads() -> None:
    for entry in TRAINING_DATA:
        assert not TEST_SET.resolve().is_relative_to((PROJECT_ROOT / entry).resolve())


def test_item_entities_are_labelled_where_shoppers_name_items() -> None:
    labelled = Counter(s.entity for m in read_nlu(TEST_SET) for s in m.entities)
    assert labelled["product"] >= 40 and labelled["quantity"] >= 20 and labelled["unit"] >= 20
    for m in read_nlu(TEST_SET):
        for s in m.entities:
            assert m.text[s.start : s.end] == s.text
