"""Browser tests (Debian's Chromium, headless)."""

from __future__ import annotations

import os
from pathlib import Path

from bot.settings import PROJECT_ROOT

SHOTS = Path(__file__).parent / "screenshots"
# The README's screenshots are retaken only on request, so a test run leaves the checkout clean.
DOCS = PROJECT_ROOT / "docs" if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1" else SHOTS
