"""Queries the bot misunderstood, kept for merchants to fix (alias, training example)."""
