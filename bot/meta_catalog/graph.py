"""The Graph API's catalog batch endpoint, as Meta documents it:

- `POST /{version}/{catalog-id}/items_batch` with `item_type: PRODUCT_ITEM` and up to 5,000
  `requests` (`{method: CREATE | UPDATE | DELETE, data: {id: retailer id, …}}`) answers at once
  with `handles` and the `validation_status` of items it refused outright;
- the batch is then applied in the background: `GET /{version}/{catalog-id}/
  check_batch_request_status?handle=…` says when it has `finished` and which retailer ids
  failed (`ids_of_invalid_requests`, with sample `errors`).

An item is known to be in the catalog only once its batch has finished without it among the
failures; a batch still running when the wait ends counts as failed for every item in it (an
UPDATE sent again next time is harmless).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

FINAL_STATES = frozenset({"finished", "canceled", "error"})


class CatalogError(Exception):
    """The whole request failed (authentication, a wrong catalog, Meta unreachable). `sent`:
    the batch may have reached Meta (a timeout, or a failure while waiting for its outcome),
    so whether it was applied is unknown."""

    def __init__(self, message: str, *, sent: bool) -> None:
        super().__init__(message)
        self.sent = sent


@dataclass
class BatchResult:
    """Retailer id → why Meta refused it; the ids not in `failed` were applied."""

    failed: dict[str, str] = field(default_factory=dict)


def _error_text(response: httpx.Response) -> str:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    return f"HTTP {response.status_code} (code {error.get('code')}): {error.get('message')}"


def _message(entry: Any) -> str:
    if isinstance(entry, dict):
        return str(entry.get("message") or entry)
    return str(entry)


class CatalogClient:
    def __init__(
        self,
        base_url: str,
        version: str,
        token: str,
        *,
        wait_seconds: float = 120.0,
        poll_seconds: float = 1.0,
        http: httpx.Client | None = None,
    ) -> None:
        self.base = f"{base_url.rstrip('/')}/{version}"
        self.wait_seconds, self.poll_seconds = wait_seconds, poll_seconds
        self.http = http or httpx.Client(timeout=30.0)
        self.http.headers["Authorization"] = f"Bearer {token}"

    def close(self) -> None:
        self.http.close()

    def apply(self, catalog_id: str, requests: list[dict[str, Any]]) -> BatchResult:
        """Send one batch and wait for Meta to apply it."""
        try:
            response = self.http.post(
                f"{self.base}/{catalog_id}/items_batch",
                json={"item_type": "PRODUCT_ITEM", "allow_upsert": True, "requests": requests},
            )
        except httpx.ConnectError as e:
            raise CatalogError(f"the Graph API could not be reached: {e}", sent=False) from e
        except httpx.HTTPError as e:
            raise CatalogError(f"the Graph API did not answer: {e}", sent=True) from e
        if response.status_code >= 300:
            raise CatalogError(_error_text(response), sent=False)
        answer = response.json()
        result = BatchResult()
        for status in answer.get("validation_status") or []:
            errors = status.get("errors") or []
            if errors:
                result.failed[str(status.get("retailer_id"))] = "; ".join(map(_message, errors))
        sent = {str(r["data"]["id"]) for r in requests}
        for handle in answer.get("handles") or []:
            for retailer_id, why in self._outcome(catalog_id, handle, sent).items():
                result.failed.setdefault(retailer_id, why)
        return result

    def _outcome(self, catalog_id: str, handle: str, sent: set[str]) -> dict[str, str]:
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                response = self.http.get(
                    f"{self.base}/{catalog_id}/check_batch_request_status",
                    params={"handle": handle},
                )
            except httpx.HTTPError as e:
                raise CatalogError(f"the Graph API could not be reached: {e}", sent=True) from e
            if response.status_code >= 300:
                raise CatalogError(_error_text(response), sent=True)
            statuses = response.json().get("data") or [{}]
            status = statuses[0]
            state = str(status.get("status") or "").lower()
            if state in FINAL_STATES:
                break
            if time.monotonic() >= deadline:
                why = f"Meta had not applied the batch (handle {handle}, {state or 'no status'})"
                return dict.fromkeys(sent, why)
            time.sleep(self.poll_seconds)
        reasons: dict[str, list[str]] = {}
        for error in status.get("errors") or []:
            retailer_id = (
                error.get("id") or error.get("retailer_id") if isinstance(error, dict) else None
            )
            if retailer_id is not None:
                reasons.setdefault(str(retailer_id), []).append(_message(error))
        failed = {retailer_id: "; ".join(why) for retailer_id, why in reasons.items()}
        # The errors are a sample; every refused id is listed here, with or without a reason.
        for retailer_id in status.get("ids_of_invalid_requests") or []:
            failed.setdefault(str(retailer_id), "refused by Meta (no reason given)")
        if state != "finished":
            why = f"Meta's batch ended {state} (handle {handle})"
            for retailer_id in sent:
                failed.setdefault(retailer_id, why)
        return failed
