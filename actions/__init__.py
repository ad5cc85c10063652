"""Rasa custom actions (rasa-sdk action server): thin adapters over `bot/`."""
