"""Waiting on conditions, never on the clock: a test that waits polls what it waits for until
a deadline that fits a busy two-core machine, and a timeout says what it was waiting for."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T],
    waiting_for: str,
    timeout: float = 60.0,
    every: float = 0.05,
    explain: Callable[[], str] | None = None,
) -> T:
    """Poll `condition` until it returns something true; that value. After `timeout` seconds
    an AssertionError names `waiting_for` and what is still missing: `explain()` when given,
    else the last value seen."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            missing = explain() if explain is not None else f"last saw {value!r}"
            raise AssertionError(f"waited {timeout:g} s for {waiting_for}; {missing}")
        time.sleep(every)


async def wait_until_async(
    condition: Callable[[], T], waiting_for: str, timeout: float = 60.0, every: float = 0.2
) -> T:
    """`wait_until` for a coroutine: polls without holding up the event loop's other tasks
    (many simulated shoppers waiting at once)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g} s for {waiting_for}; last saw {value!r}")
        await asyncio.sleep(every)


def holds_for(condition: Callable[[], object], seconds: float, what: str) -> None:
    """Check that `condition` stays true for `seconds` (an absence can only be watched for a
    while): fails the moment it turns false, saying `what` should have held."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not condition():
            raise AssertionError(f"{what} stopped holding")
        time.sleep(0.05)
