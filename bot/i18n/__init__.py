"""What the shop says, in English, Hindi (Devanagari) and Hinglish.

One catalog for every process: the assistant's custom actions and the WhatsApp gateway's
notifications render the same keys, so a shopper gets one voice in one language.
"""

from bot.i18n.render import Language, t

__all__ = ["Language", "t"]
