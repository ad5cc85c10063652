"""A stranger guessing the owner's password must not lock the owner out: failures slow down
the guessing client and, on browsers the account never signed in from, the username — while
the owner's own browser, trusted since its last sign-in, gets in at once. Known and unknown
usernames are answered alike, attempt after attempt."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.console.throttle import DEVICE_COOKIE, LoginThrottle
from api.main import create_app
from bot.settings import Settings
from tests.api.console.conftest import log_in, make_merchant

FREE_PER_CLIENT = 5
FREE_PER_ACCOUNT = 20


def console_app(backoff: float) -> FastAPI:
    return create_app(
        Settings(
            console_max_failed_logins=FREE_PER_CLIENT,
            console_max_failed_logins_per_account=FREE_PER_ACCOUNT,
            console_backoff_seconds=backoff,
            console_lockout_minutes=15,
        )
    )


@pytest.fixture
def app(shop_id: int) -> FastAPI:
    """Backoffs far longer than the test: each holds until the test ends, however slow the
    machine."""
    make_merchant(shop_id)
    return console_app(600.0)


def browser(app: FastAPI, address: str, cookies: httpx.Cookies | None = None) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1", client=(address, 40000), cookies=cookies)


def _answer(response: httpx.Response) -> tuple[int, bool, str]:
    """What a guesser learns from one answer: status, whether to wait, and the message."""
    text = response.text
    message = "wrong" if "Wrong username or password" in text else "wait" * ("Too many" in text)
    return response.status_code, "retry-after" in response.headers, message


def _guesses(app: FastAPI, username: str, addresses: list[str], per_address: int) -> list:
    return [
        _answer(log_in(browser(app, address), username, f"guess {address} {i}"))
        for address in addresses
        for i in range(per_address)
    ]


def test_a_stranger_guessing_from_many_addresses_never_stops_the_owners_browser(
    app: FastAPI,
) -> None:
    owner = browser(app, "198.51.100.7")
    assert log_in(owner, "owner").status_code == 303
    assert owner.cookies.get(DEVICE_COOKIE)
    answers = _guesses(app, "owner", [f"203.0.113.{n}" for n in range(10)], FREE_PER_CLIENT)
    assert answers.count((401, False, "wrong")) == FREE_PER_ACCOUNT
    assert (429, True, "wait") in answers  # the guessing is slowed down once the name is busy
    assert log_in(owner, "owner").status_code == 303  # at once, right after the guessing
    travelling = browser(app, "192.0.2.44", cookies=owner.cookies)  # another network, same laptop
    assert log_in(travelling, "owner").status_code == 303
    # A new browser (no device cookie) waits out the name's backoff like everyone else.
    assert log_in(browser(app, "192.0.2.45"), "owner").status_code == 429


def test_a_forged_or_foreign_device_cookie_is_no_way_around_the_backoff(app: FastAPI) -> None:
    _guesses(app, "owner", [f"203.0.113.{n}" for n in range(5)], FREE_PER_CLIENT)
    for forged in ("abc.def", "x", "", "nonce." + "0" * 32):
        cookies = httpx.Cookies()
        cookies.set(DEVICE_COOKIE, forged, domain="127.0.0.1", path="/merchant/login")
        assert log_in(browser(app, "192.0.2.60", cookies), "owner").status_code == 429, forged


def test_known_and_unknown_usernames_are_answered_alike(app: FastAPI) -> None:
    addresses = [f"203.0.113.{n}" for n in range(6)]
    known = _guesses(app, "owner", addresses, FREE_PER_CLIENT)
    unknown = _guesses(app, "nobody", [a.replace("203.0.113", "203.0.114") for a in addresses], 5)
    assert known == unknown
    assert {status for status, _, _ in known} == {401, 429}


def test_one_client_guessing_many_names_is_slowed_down_with_growing_waits(
    shop_id: int,
) -> None:
    make_merchant(shop_id)
    app = console_app(1.0)
    now = [1000.0]  # the throttle's clock, moved by the test: waits exact on any machine
    settings = Settings(console_backoff_seconds=1.0, console_max_failed_logins=FREE_PER_CLIENT)
    app.state.console_throttle = LoginThrottle(settings, clock=lambda: now[0])
    guesser = browser(app, "203.0.113.99")
    for name in ("owner", "admin", "root", "shop", "manager"):
        assert log_in(guesser, name, "guess").status_code == 401
    held = log_in(guesser, "owner")  # even the right password, from this client
    assert held.status_code == 429 and held.headers["retry-after"] == "1"
    assert log_in(browser(app, "198.51.100.8"), "owner").status_code == 303  # others are not
    now[0] += 1.0
    assert log_in(guesser, "cashier", "guess").status_code == 401  # the wait is over: one try
    waits = []
    for _ in range(4):
        refused = log_in(guesser, "owner")
        assert refused.status_code == 429
        waits.append(int(refused.headers["retry-after"]))
        now[0] += waits[-1]
        assert log_in(guesser, "cashier", "guess").status_code == 401
    assert waits == [2, 4, 8, 16]  # twice as long after each further failure
    now[0] += 32
    assert log_in(guesser, "owner").status_code == 303  # and a success forgets them
    assert log_in(guesser, "cashier", "guess").status_code == 401
