from __future__ import annotations

from fastapi.testclient import TestClient

from api.main import create_app


def test_health_reports_the_database(database_url: str) -> None:
    with TestClient(create_app()) as client:
        r = client.get("/health")
    assert r.status_code == 200
    assert r.json() | {"products": 0} == {"status": "ok", "environment": "development",
                                           "database": "sqlite", "products": 0}
