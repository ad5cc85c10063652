"""How ChatCart starts the Rasa engine: `python -m rasa_engine run …` is `rasa run …` with the
fixes in `rasa_engine.validation` applied first. Runs in .venv-rasa; imports nothing from the app."""
