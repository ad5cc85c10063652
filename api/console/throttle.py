"""Slowing down password guessing without handing strangers a way to lock the owner out.

An account lock after N failures is a switch anyone who knows the username can flip. Instead
failures are counted three ways, each with its own exponential backoff (after `free` failures
the next attempt waits `first` seconds, then twice as long after each further failure, up to
`longest`; a success or a quiet hour forgets them):

- per client address — one machine guessing at one account or at many;
- per username, for browsers the account has never signed in from — guessing spread over many
  addresses. The name is counted whether or not such a user exists, so the answers (and their
  timing) never tell a real username from an invented one;
- per trusted browser — one the account signed in from before carries a device cookie, signed
  with a key only that account's password hash gives (`device_cookie`). Such a browser is not
  held back by the username's count, so a stranger's failures never stop the owner's laptop;
  a stolen cookie still needs the password, and has its own count.

Counts live in this process (a bounded number of keys, the least recently failed forgotten
first); several API processes each count on their own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from bot.settings import Settings

DEVICE_COOKIE = "chatcart_console_device"
DEVICE_DAYS = 180
FORGET_SECONDS = 3600.0
MAX_KEYS = 20_000


@dataclass(slots=True)
class _Failures:
    count: int
    last: float
    until: float


class Backoff:
    def __init__(
        self,
        free: int,
        first: float,
        longest: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
    ) -> None:
        self.free, self.first, self.longest = free, first, longest
        self.clock = clock
        self.max_keys = max_keys
        self._failures: OrderedDict[str, _Failures] = OrderedDict()

    def wait(self, key: str) -> float:
        """Seconds before `key` may try again; 0 when it may now."""
        entry = self._failures.get(key)
        if entry is None:
            return 0.0
        now = self.clock()
        if now - entry.last > FORGET_SECONDS + self.longest:
            del self._failures[key]
            return 0.0
        return max(0.0, entry.until - now)

    def failed(self, key: str) -> None:
        now = self.clock()
        entry = self._failures.pop(key, None) or _Failures(0, now, now)
        entry.count += 1
        entry.last = now
        beyond = entry.count - self.free
        if beyond >= 0:
            entry.until = now + min(self.longest, self.first * 2 ** min(beyond, 30))
        self._failures[key] = entry  # newest last: the oldest go first when there are too many
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)

    def forget(self, key: str) -> None:
        self._failures.pop(key, None)


class LoginThrottle:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        first = settings.console_backoff_seconds
        longest = settings.console_lockout_minutes * 60
        free = settings.console_max_failed_logins
        self.clients = Backoff(free, first, longest, clock)
        self.accounts = Backoff(
            settings.console_max_failed_logins_per_account, first, longest, clock
        )
        self.devices = Backoff(free, first, longest, clock)
        self._lock = threading.Lock()  # logins run in the thread pool

    def wait(self, client: str, username: str, device: str | None) -> float:
        """`device`: the trusted browser's id for this username, None for any other browser."""
        with self._lock:
            held = self.devices.wait(device) if device else self.accounts.wait(username)
            return max(self.clients.wait(client), held)

    def failed(self, client: str, username: str, device: str | None) -> None:
        with self._lock:
            self.clients.failed(client)
            if device:
                self.devices.failed(device)
            else:
                self.accounts.failed(username)

    def succeeded(self, client: str, username: str, device: str | None) -> None:
        """A trusted browser's success says nothing about the strangers guessing at the
        name elsewhere: their count stays."""
        with self._lock:
            self.clients.forget(client)
            if device:
                self.devices.forget(device)
            else:
                self.accounts.forget(username)


def _mac(password_hash: str, username: str, nonce: str) -> str:
    key = hashlib.sha256(password_hash.encode()).digest()
    return hmac.new(key, f"{username}.{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def device_cookie(password_hash: str, username: str) -> str:
    """A new device cookie for a browser that just signed in as `username`; a new password
    (a new hash) makes every earlier one worthless."""
    nonce = secrets.token_urlsafe(12)
    return f"{nonce}.{_mac(password_hash, username, nonce)}"


def trusted_device(cookie: str, password_hash: str | None, username: str) -> str | None:
    """The browser's id when `cookie` was given to it by a sign-in as `username`; else None."""
    nonce, _, mac = cookie.partition(".")
    if not nonce or not mac or password_hash is None:
        return None
    if not hmac.compare_digest(mac, _mac(password_hash, username, nonce)):
        return None
    return f"{username}:{nonce}"
