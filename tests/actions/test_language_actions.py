"""The reply language (action_validate_slot_mappings, after every message), changing it, and
what goes to the merchants' review queue: low-confidence intents, corrections, fallbacks, out
of scope, handoff."""

from __future__ import annotations

import pytest

from actions.catalog import ActionAskPrice, ActionBrowseCatalog
from actions.fallback import ActionDefaultAskAffirmation
from actions.handoff import ActionHandoffHold, ActionHumanHandoff
from actions.language import ActionChangeLanguage, ValidateSlotMappings
from actions.misunderstood import ActionRecordMisunderstood
from tests.actions.conftest import make_tracker, review_items, run, user_event
from tests.shop import WA_ID


def language_after(
    text: str,
    *,
    current: str = "en",
    locked: bool = False,
    intent: str = "add_items",
    confidence: float = 0.98,
    before: list | None = None,
    evidence: dict | None = None,
) -> str:
    tracker = make_tracker(
        text,
        intent,
        confidence=confidence,
        before=before,
        slots={"language": current, "language_locked": locked, "language_evidence": evidence},
    )
    result = run(ValidateSlotMappings(), tracker)
    return result.slots()["language"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("2 kg atta and 1 litre milk", "en"),
        ("दो लीटर दूध और एक दर्जन अंडे", "hi"),
        ("aadha kilo paneer bhej do", "hinglish"),
        ("2 kg आटा bhej do", "hinglish"),  # both scripts: most of the words
        ("नमस्ते", "hi"),
    ],
)
def test_language_of_each_message(text: str, language: str) -> None:
    assert language_after(text) == language


def test_a_switch_back_to_english_needs_enough_words() -> None:
    assert language_after("ok", current="hi") == "hi"
    assert language_after("2 milk", current="hinglish") == "hinglish"
    assert language_after("please show my cart now", current="hi") == "en"


def test_once_decided_one_message_does_not_switch() -> None:
    decided = {"streak": 0, "pending": None}
    assert language_after("please show my cart now", current="hi", evidence=decided) == "hi"
    assert (
        language_after(
            "Flat 302, Shanti Apartments, Andheri East, Mumbai 400069",
            current="hinglish",
            evidence=decided,
        )
        == "hinglish"
    )
    half_way = {"streak": 1, "pending": "en"}
    assert language_after("please show my cart now", current="hi", evidence=half_way) == "en"


def test_a_hinglish_yes_keeps_an_english_conversation_english() -> None:
    assert language_after("haan", current="en", intent="affirm") == "en"
    assert language_after("haan ji", current="hi", intent="affirm") == "hi"
    assert language_after("haan bhej do", current="en", intent="affirm") == "hinglish"


@pytest.mark.parametrize("text", ["show me my cart", "do you have eggs", "give me 2 kg sugar"])
def test_plain_english_with_me_or_do_stays_english(text: str) -> None:
    assert language_after(text, current="en") == "en"


def test_a_button_payload_keeps_the_language() -> None:
    assert (
        language_after('/choose_option{"choice":"DRY-0002"}', current="hi", intent="choose_option")
        == "hi"
    )
    assert language_after("/affirm", current="hinglish", intent="affirm") == "hinglish"


def test_a_chosen_language_is_kept() -> None:
    assert language_after("दो लीटर दूध", current="en", locked=True) == "en"
    assert language_after("doodh bhej do", current="hi", locked=True) == "hi"


def test_change_language_on_request() -> None:
    result = run(ActionChangeLanguage(), make_tracker("reply in hindi please", "change_language"))
    assert result.slots() == {"language": "hi", "language_locked": True}
    assert result.text == "ठीक है, अब मैं हिंदी में जवाब दूँगा।"
    english = run(
        ActionChangeLanguage(),
        make_tracker("अंग्रेज़ी में बात करो", "change_language", slots={"language": "hi"}),
    )
    assert english.slots() == {"language": "en", "language_locked": True}
    assert english.text == "Okay, I'll reply in English."
    hinglish = run(
        ActionChangeLanguage(), make_tracker("hinglish mein baat karo", "change_language")
    )
    assert hinglish.slots()["language"] == "hinglish"


def test_change_language_without_naming_one_toggles() -> None:
    assert (
        run(ActionChangeLanguage(), make_tracker("change language", "change_language")).slots()[
            "language"
        ]
        == "hi"
    )
    assert (
        run(
            ActionChangeLanguage(),
            make_tracker("bhasha badlo", "change_language", slots={"language": "hi"}),
        ).slots()["language"]
        == "en"
    )


# --- review capture ---------------------------------------------------------------------------


def test_low_confidence_intent_is_kept_for_review() -> None:
    ranking = [
        {"name": "view_cart", "confidence": 0.52},
        {"name": "browse_catalog", "confidence": 0.4},
    ]
    tracker = make_tracker(
        "kya hai mere paas",
        "view_cart",
        confidence=0.52,
        ranking=ranking,
        slots={"language": "hinglish"},
    )
    run(ValidateSlotMappings(), tracker)
    [item] = review_items("low_confidence")
    assert item.text == "kya hai mere paas" and item.prediction == "view_cart"
    assert item.confidence == pytest.approx(0.52) and item.conversation_id == WA_ID
    assert item.language == "hinglish"
    assert item.details["ranking"][0]["name"] == "view_cart"


def test_confident_intents_and_payloads_are_not_kept() -> None:
    language_after("show my cart", intent="view_cart", confidence=0.97)
    language_after("/affirm", intent="affirm", confidence=0.3)
    assert review_items() == []


@pytest.mark.parametrize(
    "correction",
    ["no, I meant 2 kg atta", "nahi matlab doodh", "नहीं, मेरा मतलब दूध", "I meant the big pack"],
)
def test_corrections_are_kept_with_what_they_correct(correction: str) -> None:
    before = [user_event("2 kg aata", "add_items")]
    language_after(correction, before=before, intent="add_items")
    [item] = review_items("correction")
    assert item.text == correction
    assert item.details["corrects"] == "2 kg aata"


def test_no_by_itself_is_not_a_correction() -> None:
    language_after("no", intent="deny", before=[user_event("yes", "affirm")])
    assert review_items("correction") == []


def test_fallback_asks_did_you_mean_in_the_shoppers_language() -> None:
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.55},
        {"name": "update_quantity", "confidence": 0.41},
        {"name": "add_items", "confidence": 0.3},
    ]
    tracker = make_tracker(
        "atta thoda zyada",
        "nlu_fallback",
        confidence=0.55,
        ranking=ranking,
        slots={"language": "hinglish"},
    )
    result = run(ActionDefaultAskAffirmation(), tracker)
    assert result.text.startswith("Kya aap yeh kehna chahte the:")
    assert [b["payload"] for b in result.buttons] == ["/update_quantity", "/out_of_scope"]
    assert result.buttons[1]["title"] == "Kuch aur"
    [item] = review_items("fallback")
    assert item.text == "atta thoda zyada" and item.prediction == "update_quantity"


def test_fallback_without_a_guess_asks_to_rephrase() -> None:
    tracker = make_tracker(
        "qwzx",
        "nlu_fallback",
        confidence=0.3,
        ranking=[{"name": "nlu_fallback", "confidence": 0.3}],
    )
    result = run(ActionDefaultAskAffirmation(), tracker)
    assert result.messages[0]["response"] == "utter_ask_rephrase"
    assert len(review_items("fallback")) == 1


def test_out_of_scope_is_kept() -> None:
    run(
        ActionRecordMisunderstood(),
        make_tracker(
            "aaj match kaun jeeta", "out_of_scope", confidence=0.93, slots={"language": "hinglish"}
        ),
    )
    [item] = review_items("out_of_scope")
    assert item.text == "aaj match kaun jeeta" and item.language == "hinglish"


def test_handoff_flags_the_conversation_and_holds_later_messages() -> None:
    result = run(
        ActionHumanHandoff(),
        make_tracker("दुकान वाले से बात कराओ", "human_handoff", slots={"language": "hi"}),
    )
    assert result.slots() == {"handoff": True}
    assert "दुकान से किसी को" in result.text
    held = run(ActionHandoffHold(), make_tracker("hello?", "greet", slots={"handoff": True}))
    assert held.messages == [] and held.events == []
    first, second = review_items("handoff")
    assert first.text == "दुकान वाले से बात कराओ"
    assert second.text == "hello?" and second.details == {"during_handoff": True}


# --- catalog ----------------------------------------------------------------------------------


def test_browse_categories_then_one() -> None:
    result = run(ActionBrowseCatalog(), make_tracker("what do you sell?", "browse_catalog"))
    assert result.text == "What would you like to see?"
    payloads = [b["payload"] for b in result.buttons]
    assert '/browse_catalog{"category":"dairy-eggs"}' in payloads
    dairy = run(
        ActionBrowseCatalog(),
        make_tracker(
            '/browse_catalog{"category":"dairy-eggs"}',
            "browse_catalog",
            entities=[{"entity": "category", "value": "dairy-eggs"}],
        ),
    )
    assert "a few of our products:" in dairy.text and "₹" in dairy.text
    assert 1 <= len(dairy.buttons) <= 10


def test_browse_by_name_in_hindi() -> None:
    result = run(
        ActionBrowseCatalog(),
        make_tracker("दूध वाले सामान दिखाओ", "browse_catalog", slots={"language": "hi"}),
    )
    assert "हमारे कुछ सामान" in result.text


def test_browse_one_kind_lists_every_brand_of_it() -> None:
    result = run(
        ActionBrowseCatalog(), make_tracker("paneer kaun kaun se hai dikhao", "browse_catalog")
    )
    assert result.text.startswith("paneer — ")
    assert "Amul" in result.text and "Mother Dairy" in result.text, result.text
    assert "Butter" not in result.text  # the kind, not the whole dairy aisle


def test_browse_for_something_not_sold_says_so_then_shows_the_aisles() -> None:
    result = run(ActionBrowseCatalog(), make_tracker("do you have fish?", "browse_catalog"))
    assert result.messages[0]["text"] == 'Sorry, we don\'t have "fish".'
    assert result.messages[-1]["text"] == "What would you like to see?"


def test_ask_price() -> None:
    result = run(ActionAskPrice(), make_tracker("how much is amul butter?", "ask_price"))
    assert "Amul Butter 100 g: ₹58" in result.text
    unknown = run(ActionAskPrice(), make_tracker("how much?", "ask_price"))
    assert unknown.text.startswith("Which product's price?")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("show me another brand", "en"),
        ("dusra brand dikhao na", "hinglish"),
        ("कोई दूसरा ब्रांड दिखाइए", "hi"),
    ],
)
def test_another_brand_after_an_add_lists_that_kind(text: str, language: str) -> None:
    tracker = make_tracker(
        text, "browse_catalog", slots={"language": language, "last_added": ["STP-0002"]}
    )
    result = run(ActionBrowseCatalog(), tracker)
    assert "Pillsbury" in result.text or "पिल्सबरी" in result.text, result.text
    assert "Butter" not in result.text and "मक्खन" not in result.text


@pytest.mark.parametrize(
    ("first", "text", "language"),
    [
        ("5 kg atta", "show me another brand", "en"),
        ("5 kilo atta chahiye", "dusra brand dikhao na", "hinglish"),
        ("5 किलो आटा", "कोई दूसरा ब्रांड दिखाइए", "hi"),
    ],
)
def test_another_brand_of_a_cart_line_is_offered_as_a_swap(
    first: str, text: str, language: str
) -> None:
    """The others in the amount the line holds; the one tapped replaces the line, 5 kg kept."""
    from actions.cart import ActionAddItems, ActionChooseOption
    from tests.actions.test_cart_actions import cart_lines

    added = run(ActionAddItems(), make_tracker(first, "add_items", slots={"language": language}))
    slots = {"language": language, **added.slots()}
    offer = run(ActionBrowseCatalog(), make_tracker(text, "browse_catalog", slots=slots))
    [change] = offer.slots()["offered_changes"]
    pillsbury = next(sku for sku in change["options"] if sku == "STP-0006")  # Pillsbury 5 kg
    run(
        ActionChooseOption(),
        make_tracker(
            f'/choose_option{{"choice":"{pillsbury}"}}',
            "choose_option",
            entities=[{"entity": "choice", "value": pillsbury}],
            slots={**slots, "offered_changes": [change]},
        ),
    )
    assert cart_lines() == {"STP-0006": 1}


def test_the_options_of_a_cart_line_show_packs_that_make_its_amount() -> None:
    from actions.cart import ActionAddItems

    added = run(ActionAddItems(), make_tracker("2 ltr dudh bhejna", "add_items"))
    offer = run(
        ActionBrowseCatalog(),
        make_tracker("doodh ke options dikhao", "browse_catalog", slots=added.slots()),
    )
    assert "Amul Gold Full Cream Milk 1 L" in offer.text  # the pack that makes the 2 litres
    assert "Amul Gold Full Cream Milk 500 ml" not in offer.text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("2 packets of amul gold 1 litre", "en"),
        ("Amul Gold wala 1 litre wale 2", "hinglish"),
        ("अमूल गोल्ड 1 लीटर वाले 2", "hi"),
    ],
)
def test_naming_one_of_the_offered_others_replaces_the_line(text: str, language: str) -> None:
    from actions.cart import ActionAddItems
    from tests.actions.test_cart_actions import cart_lines

    added = run(ActionAddItems(), make_tracker("2 ltr dudh bhejna", "add_items"))
    slots = {"language": language, **added.slots()}
    offer = run(
        ActionBrowseCatalog(),
        make_tracker("doodh ke options dikhao", "browse_catalog", slots=slots),
    )
    slots |= offer.slots()
    run(ActionAddItems(), make_tracker(text, "add_items", slots=slots))
    assert cart_lines() == {"DRY-0004": 2}


def test_an_order_after_the_usual_pick_still_adds() -> None:
    from actions.cart import ActionAddItems
    from tests.actions.test_cart_actions import cart_lines

    added = run(ActionAddItems(), make_tracker("2 ltr dudh bhejna", "add_items"))
    run(ActionAddItems(), make_tracker("1 litre amul gold bhi", "add_items", slots=added.slots()))
    assert cart_lines() == {"DRY-0002": 2, "DRY-0004": 1}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("which packs of amul gold milk do you have", "en"),
        ("amul gold doodh ke kaunse pack hai", "hinglish"),
        ("अमूल गोल्ड दूध के कौन से पैक हैं", "hi"),
    ],
)
def test_the_packs_of_one_named_product_are_rows_to_tap(text: str, language: str) -> None:
    result = run(
        ActionBrowseCatalog(), make_tracker(text, "browse_catalog", slots={"language": language})
    )
    titles = [b["title"] for b in result.buttons]
    assert len(titles) == 2, titles  # Amul Gold 500 ml and 1 L
    assert any(t in ("1 L", "1 लीटर") for t in titles), titles  # what tells the rows apart


@pytest.mark.parametrize(
    ("text", "language"),
    [("sabzi me kya kya milta hai", "hinglish"), ("सब्ज़ी में क्या क्या है", "hi")],
)
def test_an_aisle_named_in_the_singular_is_that_aisle(text: str, language: str) -> None:
    result = run(
        ActionBrowseCatalog(), make_tracker(text, "browse_catalog", slots={"language": language})
    )
    # the test shop stocks two aisles only: the vegetables aisle is named, not the list of aisles
    assert result.text.startswith(("Vegetables —", "सब्ज़ियाँ —")), result.text
