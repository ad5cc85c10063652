"""How many rows a bulk UPDATE or DELETE changed: the counts an erasure or a purge reports."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result


def affected(result: Result[Any]) -> int:
    """An UPDATE's or DELETE's result is a CursorResult, which has the rowcount; Session and
    Connection `execute` are typed as returning a plain Result."""
    return cast(CursorResult[Any], result).rowcount or 0
