from __future__ import annotations

from fastapi.testclient import TestClient

from api.main import create_app


def test_health_reports_the_database(database_url: str) -> None:
    with TestClient(create_app()) as client:
        r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["products"] == 0
    assert body["database"] == database_url.split(":")[0].split("+")[0]
