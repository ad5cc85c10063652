"""Scoring the item engine and, later, the NLU model against labelled data."""
