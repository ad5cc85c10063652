"""A fake of Meta's catalog batch API: an HTTP server on 127.0.0.1 that holds catalogs' items
and applies `items_batch` requests the way Meta documents them — refused requests answered in
`validation_status`, the rest applied in the background and reported by
`check_batch_request_status` (a CREATE lacking a required field, or a malformed price, among
`ids_of_invalid_requests` with an error naming the field)."""

from __future__ import annotations

import re
import secrets
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.loopback import JsonHandler, serve

TOKEN = "catalog-test-token"
VERSION = "v21.0"
REQUIRED = ("id", "title", "description", "availability", "condition", "price", "image_link")
PRICE = re.compile(r"^\d+\.\d{2} [A-Z]{3}$")
AVAILABILITY = {"in stock", "out of stock", "preorder", "available for order", "discontinued"}


def _field_errors(method: str, data: dict[str, Any]) -> list[str]:
    errors = []
    if method == "CREATE":
        errors += [f"Required field {name} is missing" for name in REQUIRED if not data.get(name)]
    if "price" in data and not PRICE.match(str(data["price"])):
        errors.append(f"Invalid price {data['price']!r}: a number and a currency, like 9.99 USD")
    if "availability" in data and data["availability"] not in AVAILABILITY:
        errors.append(f"Invalid availability {data['availability']!r}")
    return errors


class FakeCatalog:
    """`catalogs` maps a catalog id to its items (retailer id → fields). `running_polls`: how
    many status checks of each batch answer `started` before it is `finished`. `script`:
    (status, body) answers to give to the next batch posts instead of accepting them."""

    def __init__(self, *catalog_ids: str) -> None:
        self.catalogs: dict[str, dict[str, dict[str, Any]]] = {c: {} for c in catalog_ids}
        self.posts: list[dict[str, Any]] = []  # every items_batch body, in order
        self.script: list[tuple[int, dict[str, Any]]] = []
        self.running_polls = 0
        self.lock = threading.Lock()
        self._batches: dict[str, dict[str, Any]] = {}
        fake = self

        class Handler(JsonHandler):
            def _authorised(self) -> bool:
                if self.headers.get("Authorization") == f"Bearer {TOKEN}":
                    return True
                self.send_json(
                    401,
                    {
                        "error": {
                            "message": "Invalid OAuth access token.",
                            "type": "OAuthException",
                            "code": 190,
                        }
                    },
                )
                return False

            def _catalog(self, edge: str) -> str | None:
                parts = urlsplit(self.path).path.strip("/").split("/")
                if (
                    len(parts) == 3
                    and parts[0] == VERSION
                    and parts[2] == edge
                    and parts[1] in fake.catalogs
                ):
                    return parts[1]
                self.send_json(
                    400,
                    {
                        "error": {
                            "message": "Unsupported request: the object does not exist",
                            "type": "GraphMethodException",
                            "code": 100,
                        }
                    },
                )
                return None

            def do_POST(self) -> None:  # noqa: N802
                if not self._authorised():
                    return
                catalog_id = self._catalog("items_batch")
                if catalog_id is None:
                    return
                body = self.read_json()
                with fake.lock:
                    fake.posts.append(body)
                    answer = fake.script.pop(0) if fake.script else None
                if answer is not None:
                    return self.send_json(*answer)
                requests = body.get("requests")
                if body.get("item_type") != "PRODUCT_ITEM" or not isinstance(requests, list):
                    return self.send_json(
                        400, {"error": {"message": "(#100) item_type, requests", "code": 100}}
                    )
                if len(requests) > 5000:
                    return self.send_json(
                        400, {"error": {"message": "(#100) at most 5000 requests", "code": 100}}
                    )
                validation, accepted = [], []
                for r in requests:
                    data = r.get("data") if isinstance(r, dict) else None
                    if r.get("method") not in ("CREATE", "UPDATE", "DELETE") or not (
                        isinstance(data, dict) and data.get("id")
                    ):
                        validation.append(
                            {
                                "retailer_id": (data or {}).get("id"),
                                "errors": [{"message": "a method and data.id are required"}],
                            }
                        )
                    else:
                        accepted.append(r)
                handle = "handle-" + secrets.token_hex(6)
                with fake.lock:
                    fake._batches[handle] = {
                        "catalog": catalog_id,
                        "requests": accepted,
                        "polls": 0,
                        "outcome": None,
                    }
                self.send_json(200, {"handles": [handle], "validation_status": validation})

            def do_GET(self) -> None:  # noqa: N802
                if not self._authorised():
                    return
                if self._catalog("check_batch_request_status") is None:
                    return
                handle = (parse_qs(urlsplit(self.path).query).get("handle") or [""])[0]
                with fake.lock:
                    batch = fake._batches.get(handle)
                    if batch is None:
                        answer: dict[str, Any] = {"data": []}
                    elif batch["polls"] < fake.running_polls:
                        batch["polls"] += 1
                        answer = {"data": [{"handle": handle, "status": "started"}]}
                    else:
                        if batch["outcome"] is None:
                            batch["outcome"] = fake._apply(batch["catalog"], batch["requests"])
                        answer = {"data": [{"handle": handle, **batch["outcome"]}]}
                self.send_json(200, answer)

        self.server, self.url = serve(Handler)

    def _apply(self, catalog_id: str, requests: list[dict[str, Any]]) -> dict[str, Any]:
        items = self.catalogs[catalog_id]
        errors, invalid = [], []
        for line, r in enumerate(requests):
            data, method = r["data"], r["method"]
            retailer_id = str(data["id"])
            problems = _field_errors(method, data)
            if method == "UPDATE" and retailer_id not in items:
                problems = _field_errors("CREATE", data)  # an upsert creates: all fields needed
            if problems:
                invalid.append(retailer_id)
                errors += [{"line": line, "id": retailer_id, "message": p} for p in problems]
            elif method == "DELETE":
                items.pop(retailer_id, None)
            else:
                items[retailer_id] = {**items.get(retailer_id, {}), **data}
        return {
            "status": "finished",
            "errors_total_count": len(errors),
            "errors": errors,
            "ids_of_invalid_requests": invalid,
        }

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
