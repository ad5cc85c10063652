from __future__ import annotations

import pytest

from bot.text.language import LanguageState, ReplyLanguage, detect_language, next_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("tum kaun ho", "hinglish"),
        ("mera order kahan gaya", "hinglish"),
        ("who are you", "en"),
        ("haan", "hinglish"),
    ],
)
def test_romanised_hindi_words_are_hinglish(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    "text",
    [
        "haan",
        "haan ji",
        "theek hai",
        "ok bhai",
        "nahi",
        "haan please place it",
        '/choose_option{"choice":"DRY-0001"}',
        "Flat 302, Shanti Apartments, Andheri East, Mumbai 400069",
        "C-204 Neelkanth Tower Chakala 400 093",
        "Amul Gold",
        "2",
    ],
)
@pytest.mark.parametrize("current", ["en", "hi", "hinglish"])
def test_what_tells_no_language_keeps_the_conversations(text: str, current: ReplyLanguage) -> None:
    state = LanguageState(current, 0)
    assert next_language(text, state) == state


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("haan doodh bhej do jaldi", "hinglish"),
        ("दो किलो आटा भेज दो", "hi"),
        ("bhaiya 2 kilo आटा aur 1 ltr दूध bhej do", "hinglish"),
        ("please send two kilos of atta", "en"),
    ],
)
def test_the_first_full_message_decides(text: str, language: ReplyLanguage) -> None:
    assert next_language(text, LanguageState()).language == language


def test_a_switch_needs_several_full_messages_in_a_row() -> None:
    state = LanguageState("hinglish", 0)
    state = next_language("please show me my cart now", state)
    assert state.language == "hinglish"
    state = next_language("aur ek packet bread bhi daal do", state)  # back: the streak ends
    assert (state.language, state.streak) == ("hinglish", 0)
    for text in ("please show me my cart now", "and add two packets of bread too"):
        state = next_language(text, state)
    assert state.language == "en"


def test_mixed_script_keeps_a_hindi_or_hinglish_conversation() -> None:
    for current in ("hi", "hinglish"):
        state = LanguageState(current, 0)
        assert next_language("bhaiya 2 kilo आटा aur दूध bhej do", state).language == current


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("pls send 2 packet of 500g besan, chhoti wali maggi 4 and bada pack surf", "en"),
        ("need 1 kg fish (jo bhi ho), 2 ltr bisleri and 1 pkt bhujia", "en"),
        ("hi, mera usual bhej do pls, plus 1 kg chini extra", "en"),
        ("ek aur packet add karo please", "hinglish"),
        ("bhaiya 1 dozen ande aur 2 packet maggi bhejo", "hinglish"),
        ("can you send it jaldi", "en"),
    ],
)
def test_english_with_a_few_hindi_words_is_english(text: str, language: ReplyLanguage) -> None:
    """The English grammar words outweigh the Hindi ones: the shopper writes English."""
    assert next_language(text, LanguageState()).language == language


def test_a_hindi_verb_at_the_end_of_an_english_message_keeps_english() -> None:
    state = next_language("maggi 4 packet and 1 kg toor dal", LanguageState())
    state = next_language("2 kurkure bhej do", state)
    state = next_language("500g moong dal also, daal dena", state)
    assert state.language == "en"
