"""`rasa` itself, after `rasa_engine.validation.apply()`: same arguments, same behaviour."""

from __future__ import annotations

from rasa_engine.validation import apply

apply()

from rasa.__main__ import main  # noqa: E402  (imported after the fix, as the fix must come first)

main()
