"""The action server as `chatcart run` starts it (a real rasa-sdk process on loopback): only
the engine, which sends ACTION_SERVER_SECRET, can run an action; the health check stays open
for the stack and the load balancer."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.settings import get_settings
from cli.stack import Service, assistant_services, start_all, stop_all
from tests.loopback import outward_address
from tests.shop import free_port

pytestmark = pytest.mark.processes
SECRET = "a-secret-of-this-test"
CALL = {
    "next_action": "action_no_such_thing",
    "sender_id": "919800000001",
    "tracker": {"sender_id": "919800000001", "slots": {}, "latest_message": {}, "events": []},
    "domain": {},
    "version": "3.6.21",
}


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ACTION_SERVER_SECRET", SECRET)
        get_settings.cache_clear()
        here = tmp_path_factory.mktemp("actions")
        [actions, _engine] = assistant_services(  # the engine is not started
            f"sqlite:///{here / 'chatcart.db'}",
            free_port(),
            free_port(),
            prefix="test-auth-",
            model=here / "unused.tar.gz",
        )
        get_settings.cache_clear()
    running = start_all([actions])
    try:
        yield actions
    finally:
        stop_all(running)


def url(service: Service, path: str) -> str:
    return service.health.replace("/health", path)


def test_a_call_without_the_secret_is_refused(action_server: Service) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": SECRET}):
        answer = httpx.post(url(action_server, "/webhook"), json=CALL, headers=headers, timeout=30)
        assert answer.status_code == 401, (headers, answer.text)
        assert (
            httpx.get(url(action_server, "/actions"), headers=headers, timeout=30).status_code
            == 401
        )


def test_the_engines_secret_reaches_the_actions(action_server: Service) -> None:
    auth = {"Authorization": f"Bearer {SECRET}"}
    listed = httpx.get(url(action_server, "/actions"), headers=auth, timeout=30)
    assert listed.status_code == 200
    assert "action_add_items" in {a["name"] for a in listed.json()}
    unknown = httpx.post(url(action_server, "/webhook"), json=CALL, headers=auth, timeout=30)
    assert unknown.status_code == 404, unknown.text  # past the check: rasa-sdk's own answer
    assert httpx.get(action_server.health, timeout=30).status_code == 200


def test_it_listens_on_loopback_only(action_server: Service) -> None:
    if (address := outward_address()) is None:
        pytest.skip("this host has no address but loopback")
    with pytest.raises(httpx.ConnectError):
        httpx.get(action_server.health.replace("127.0.0.1", address), timeout=10)
