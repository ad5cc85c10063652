"""Figures for the merchant's dashboard, read from the shop's own tables and scoped to one shop."""
