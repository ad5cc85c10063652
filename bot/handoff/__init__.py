"""Conversations handed to a person at the shop: the inbox, replies as the shop, hand-back to the bot."""
