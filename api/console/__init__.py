"""The merchant console (`/merchant`): server-rendered pages behind a login, no build step.

Every module in `api.console.routes` that defines `router` is mounted under `/merchant`, so a
new page is one new module; every route except the login form requires a merchant session.
"""
from __future__ import annotations

import importlib
import pkgutil

from fastapi import FastAPI

from api.console import routes
from api.console.deps import install_handlers

PREFIX = "/merchant"


def install(app: FastAPI) -> None:
    install_handlers(app)
    for info in sorted(pkgutil.iter_modules(routes.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{routes.__name__}.{info.name}")
        if hasattr(module, "router"):
            app.include_router(module.router, prefix=PREFIX, include_in_schema=False)
