"""Custom Rasa NLU components: the only project code the engine (.venv-rasa) imports.

They reuse `bot.text` (pure Python: the normaliser and transliteration), never the rest of
the app, so the engine and the app still talk over HTTP only.
"""
