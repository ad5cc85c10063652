"""STOP, START and "delete my data" are read in three languages, as whole messages only."""

from __future__ import annotations

import pytest

from bot.parsing.privacy import PrivacyCommand, read_privacy_command


@pytest.mark.parametrize(
    ("text", "command", "language"),
    [
        ("STOP", "opt_out", None),
        ("Stop!", "opt_out", None),
        ("unsubscribe", "opt_out", None),
        ("stop messages", "opt_out", "en"),
        ("Stop promotions", "opt_out", "en"),
        ("reminders band karo", "opt_out", "hinglish"),
        ("Please stop sending messages", "opt_out", "en"),
        ("don't send me messages", "opt_out", "en"),
        ("band karo", "opt_out", "hinglish"),
        ("Band kar do please", "opt_out", "hinglish"),
        ("messages band karo", "opt_out", "hinglish"),
        ("message mat bhejo", "opt_out", "hinglish"),
        ("mujhe message mat bhejo", "opt_out", "hinglish"),
        ("मैसेज मत भेजो", "opt_out", "hi"),
        ("कृपया मुझे मैसेज मत भेजिए।", "opt_out", "hi"),
        ("मैसेज बंद करो", "opt_out", "hi"),
        ("START", "opt_in", None),
        ("start again", "opt_in", "en"),
        ("messages shuru karo", "opt_in", "hinglish"),
        ("फिर से शुरू करो", "opt_in", "hi"),
        ("delete my data", "erase", "en"),
        ("Please delete all my personal data.", "erase", "en"),
        ("erase my data", "erase", "en"),
        ("mera data delete karo", "erase", "hinglish"),
        ("mera sara data delete kar do", "erase", "hinglish"),
        ("mera data mita do", "erase", "hinglish"),
        ("मेरा डेटा मिटा दो", "erase", "hi"),
        ("मेरा सारा डेटा हटा दो", "erase", "hi"),
        ("मेरी जानकारी डिलीट कीजिए", "erase", "hi"),
    ],
)
def test_commands_in_three_languages(text: str, command: str, language: str | None) -> None:
    assert read_privacy_command(text) == PrivacyCommand(command, language)


@pytest.mark.parametrize(
    "text",
    [
        "stop the milk",
        "atta band ho gaya?",
        "दूध बंद करो",
        "delete milk",
        "cart delete karo",
        "clear my cart",
        "2 kg atta",
        "band",
        "start my order with 2 kg atta",
        # answers to "shall I…?" in the NLU data (deny, clear_cart), not commands
        "mat bhejo",
        "mat karo",
        "abhi mat karo",
        "मत भेजो",
        "delete everything",
        "",
    ],
)
def test_shopping_talk_is_no_command(text: str) -> None:
    assert read_privacy_command(text) is None


def test_what_the_replies_tell_shoppers_to_send_is_understood() -> None:
    """The opt-out, opt-in and reminder messages name words to send back: each is a command."""
    from bot.i18n import t

    told = {
        "opt_in": [t("privacy_opted_out", lang) for lang in ("en", "hi", "hinglish")],
        "opt_out": [
            t(key, lang)
            for key in ("privacy_opted_in", "notify_cart_reminder")
            for lang in ("en", "hi", "hinglish")
        ],
    }
    for command, texts in told.items():
        for text in texts:
            words = text.split('"')[1::2] + [w for w in ("STOP", "START") if w in text]
            assert any(
                (found := read_privacy_command(w)) and found.command == command for w in words
            ), text
