from __future__ import annotations

import pytest

from bot.text import detect_language, normalize, phonetic_key, romanize


def test_nfc_digits_fractions_and_spacing() -> None:
    assert normalize("2KG Atta,aur ½ kg दूध।") == "2 kg atta , aur 1/2 kg दूध ।"
    assert normalize("०२ पैकेट") == "02 पैकेट"
    assert normalize("1.5l oil+eggs&bread") == "1.5 l oil + eggs & bread"


def test_decomposed_and_precomposed_devanagari_meet() -> None:
    composed, decomposed = "\u095b", "\u091c\u093c"  # ज़ both ways
    assert normalize(f"प्या{composed}") == normalize(f"प्या{decomposed}") == "प्याज"


def test_invisible_and_control_characters_are_dropped() -> None:
    assert normalize("at\u200bta\x00 milk\ufeff") == "atta milk"


def test_newlines_survive_as_line_breaks() -> None:
    assert normalize("atta\n\n  doodh \n") == "atta\ndoodh"


@pytest.mark.parametrize(
    "spellings",
    [
        ("आटा", "aata", "atta", "ata"),
        ("दूध", "doodh", "dudh", "dood"),
        ("प्याज़", "pyaaz", "pyaz", "pyaj"),
        ("चावल", "chawal", "chaval"),
        ("नमकीन", "namkeen", "namkin"),
        ("चीनी", "cheeni", "chini"),
        ("जीरा", "jeera", "zeera", "jira"),
        ("पनीर", "paneer", "panir"),
        ("नींबू", "nimbu", "neembu"),
        ("अंडे", "ande", "anday"),
    ],
)
def test_phonetic_key_meets_across_scripts_and_spellings(spellings: tuple[str, ...]) -> None:
    assert len({phonetic_key(s) for s in spellings}) == 1


def test_romanize_applies_schwa_deletion() -> None:
    assert romanize("दूध") == "dudh"
    assert romanize("सरसों का तेल") == "sarson kA tel".lower()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("2 kg atta and milk", "en"),
        ("aadha kilo paneer bhej do", "hinglish"),
        ("दो लीटर दूध और एक दर्जन अंडे", "hi"),
        ("2 kg आटा and milk", "mixed"),
        ("दूध 1 litre", "mixed"),
        ("", "en"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language
