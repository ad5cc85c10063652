"""The running engine's model API (Rasa started with `--enable-api`): `GET /status` says which
model file it serves, `PUT /model {"model_file": …}` swaps in another without a restart. With
RASA_TOKEN set the engine runs with `--auth-token` and every call carries `?token=`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx


class EngineUnreachable(Exception):
    """Nothing answers at the engine's address: it is not running."""


class EngineRefused(Exception):
    """The engine answered but did not do it; the message carries its reason."""


@dataclass(frozen=True, slots=True)
class EngineAPI:
    url: str
    token: str = ""
    timeout: float = 900.0  # loading a model takes a minute or more on two busy cores

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        params = {"token": self.token} if self.token else {}
        try:
            r = httpx.request(
                method,
                f"{self.url.rstrip('/')}{path}",
                params=params,
                timeout=httpx.Timeout(self.timeout, connect=5.0),
                **kwargs,
            )
        except httpx.ConnectError as e:
            raise EngineUnreachable(f"no engine at {self.url} ({e})") from e
        except httpx.HTTPError as e:
            raise EngineRefused(f"{method} {path} at {self.url} failed: {e!r}") from e
        if r.status_code in (401, 403):
            raise EngineRefused(
                f"the engine at {self.url} refused the request ({r.status_code}): "
                "RASA_TOKEN must be the token the engine was started with"
            )
        if r.status_code >= 400:
            raise EngineRefused(f"{method} {path} at {self.url}: {r.status_code} {_reason(r)}")
        return r

    def status(self) -> dict[str, Any]:
        """`model_file` and `model_id` of the loaded model."""
        return dict(self._request("GET", "/status").json())

    def load(self, model_file: Path) -> None:
        """Replace the engine's model; returns once the new one serves."""
        self._request("PUT", "/model", json={"model_file": str(model_file.resolve())})


def _reason(r: httpx.Response) -> str:
    try:
        body = r.json()
    except ValueError:
        return r.text[:300]
    return str(body.get("message") or body) if isinstance(body, dict) else str(body)
