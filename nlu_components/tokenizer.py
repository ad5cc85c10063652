"""A whitespace tokenizer whose lemmas are script- and spelling-independent keys.

Rasa 3.6's CountVectorsFeaturizer re-splits tokens with `\\w\\w+`, which breaks Devanagari
words at every vowel sign ("आटा" → "आट"). Featurising the lemma — the word's Hinglish phonetic
key from `bot.text`, so "आटा", "aata" and "atta" all become "ata" — avoids that and lets Hindi
and Hinglish examples teach each other. Token text and offsets stay untouched for entities.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.text.normalize import normalize
from bot.text.phonetic import phonetic_key


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class PhoneticTokenizer(WhitespaceTokenizer):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**WhitespaceTokenizer.get_default_config(), "phonetic_lemmas": True}

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        tokens: list[Token] = super().tokenize(message, attribute)
        if self._config.get("phonetic_lemmas", True):
            for token in tokens:
                token.lemma = lemma(token.text)
        return tokens


def lemma(word: str) -> str:
    """The phonetic key, or the normalised word when it has no letters (digits, symbols)."""
    norm = normalize(word)
    key = phonetic_key(norm) if norm else ""
    return key or norm or word


def token_lemma(token: Token) -> str:
    """The key a component compares a token by: its lemma from `PhoneticTokenizer`, else its
    casefolded text (a pipeline with another tokenizer)."""
    key: str = token.lemma or token.text.casefold()
    return key
