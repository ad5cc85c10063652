"""The ASGI application: `uvicorn api.main:app`."""
from __future__ import annotations

from fastapi import FastAPI

from api.routes import health


def create_app() -> FastAPI:
    app = FastAPI(
        title="ChatCart",
        version="0.1.0",
        description="A conversational grocery shop for WhatsApp.",
    )
    app.include_router(health.router)
    return app


app = create_app()
