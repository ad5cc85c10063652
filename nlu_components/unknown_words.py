"""Caps the intent confidence of keyboard mash: messages with no word the model was trained on.

An intent classifier spreads all of its confidence over the known intents, so "jfjf" or
"क्ष त्र ज्ञ" can come out as `affirm` or `add_items` at 0.95+ from a few shared character n-grams. A message none of whose
words occurs in the training examples (as typed, or by phonetic lemma, see
`nlu_components.tokenizer`), and fewer than `min_known_trigrams` of whose letter trigrams do,
gives the model nothing to go on: its ranking is scaled down to `max_confidence`, so the
FallbackClassifier after this component asks again instead of acting on it. The trigrams spare
unseen but word-like messages ("hola", "agreed"); a message with a number is left alone
("3 soaps" names an item the model may never have seen, "9" picks an option).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import dump_obj_as_json_to_file, read_json_file

from nlu_components.tokenizer import token_lemma

VOCABULARY_FILE = "vocabulary.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class UnknownWordsClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"max_confidence": 0.3, "min_known_trigrams": 0.5}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        known: dict[str, list[str]] | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        known = known or {}
        self.tokens = set(known.get("tokens", []))
        self.lemmas = set(known.get("lemmas", []))
        self.trigrams = set(known.get("trigrams", []))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UnknownWordsClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> UnknownWordsClassifier:
        with model_storage.read_from(resource) as directory:
            known = read_json_file(directory / VOCABULARY_FILE)
        return cls(config, model_storage, resource, known)

    def train(self, training_data: TrainingData) -> Resource:
        words = [
            token for example in training_data.intent_examples for token in word_tokens(example)
        ]
        self.tokens = {token.text.casefold() for token in words}
        # A one-letter word's key says little ("x" → "ks" would make "क्ष" known): only the letter counts.
        self.lemmas = {
            token_lemma(token) for token in words if sum(c.isalpha() for c in token.text) >= 2
        }
        self.trigrams = {g for w in self.lemmas if len(w) >= 3 for g in trigrams(w)}
        with self._model_storage.write_to(self._resource) as directory:
            dump_obj_as_json_to_file(
                directory / VOCABULARY_FILE,
                {
                    "tokens": sorted(self.tokens),
                    "lemmas": sorted(self.lemmas),
                    "trigrams": sorted(self.trigrams),
                },
            )
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        cap = float(self._config["max_confidence"])
        for message in messages:
            intent = message.get(INTENT) or {}
            top = intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0
            if top <= cap or not self.is_mash(message):
                continue
            scale = cap / top
            intent[PREDICTED_CONFIDENCE_KEY] = cap
            for ranked in message.get(INTENT_RANKING_KEY) or []:
                ranked[PREDICTED_CONFIDENCE_KEY] = ranked[PREDICTED_CONFIDENCE_KEY] * scale
        return messages

    def is_mash(self, message: Message) -> bool:
        words = word_tokens(message)
        if not words or any(c.isdigit() for c in message.get(TEXT) or ""):
            return False
        if any(
            token.text.casefold() in self.tokens or token_lemma(token) in self.lemmas
            for token in words
        ):
            return False
        # Trigrams of two-letter keys ("tr", "jn") match almost anything: only longer words count.
        grams = [
            g
            for token in words
            if len(token_lemma(token)) >= 3
            for g in trigrams(token_lemma(token))
        ]
        known = sum(g in self.trigrams for g in grams)
        return not grams or known < float(self._config["min_known_trigrams"]) * len(grams)


def word_tokens(message: Message) -> list[Token]:
    """Tokens with a letter in them: numbers and symbols are neither known nor unknown."""
    return [
        token
        for token in message.get(TOKENS_NAMES[TEXT]) or []
        if any(c.isalpha() for c in token.text)
    ]


def trigrams(word: str) -> list[str]:
    padded = f" {word} "
    return [padded[i : i + 3] for i in range(len(padded) - 2)]
