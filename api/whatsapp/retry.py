"""Why a row is not done yet, and whether that is the row's fault.

An outage (the engine, the Graph API or the database not answering) would stop any message
the same way: the row waits and is tried again for as long as `inbox.MAX_ATTEMPTS` allows, so
that nothing is lost while a process restarts. Anything else — the engine refusing this very
message, a payload our own code cannot encode — will most likely fail again: after
`inbox.QUARANTINE_AFTER` such tries the message is set aside, and the shopper's later messages
go on.
"""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from bot.rasa_api import EngineError, EngineRefused


class Retry(Exception):
    """Not now: the row keeps its state and is tried again after a back-off."""

    def __init__(self, reason: str, *, outage: bool = True) -> None:
        super().__init__(reason)
        self.outage = outage


def is_outage(error: BaseException) -> bool:
    if isinstance(error, Retry):
        return error.outage
    if isinstance(error, EngineError):
        return not isinstance(error, EngineRefused)
    return isinstance(error, OperationalError)
