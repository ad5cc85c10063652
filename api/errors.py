"""Errors as RFC 9457 problem details (`application/problem+json`), for every error the API
can return: the shop's own rules, HTTP errors, validation errors and the unexpected."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.errors import Conflict, InvalidRequest, NotFound, ShopError
from bot.payments.errors import InvalidSignature, ProviderUnavailable

log = logging.getLogger("chatcart.api")
PROBLEM_TYPE = "urn:chatcart:problem:"
MEDIA_TYPE = "application/problem+json"
_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


_MEMBERS = frozenset({"type", "title", "status", "detail", "instance", "code"})


class Problem(BaseModel):
    """RFC 9457 problem details. `code` repeats the last part of `type` for easy matching;
    other members carry what the problem is about (`skus`, `allowed`, `errors`…)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="about:blank", examples=["urn:chatcart:problem:out-of-stock"])
    title: str
    status: int = Field(ge=400, le=599)
    detail: str | None = None
    instance: str | None = None
    code: str | None = None


class ProblemError(Exception):
    """An HTTP-level problem raised by the API itself (authentication, a disabled route…)."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status, self.code, self.title, self.detail = status, code, title, detail
        self.headers = headers
        self.extra = extra


def status_for(exc: ShopError) -> int:
    if isinstance(exc, InvalidSignature):
        return 401
    if isinstance(exc, ProviderUnavailable):
        return 503
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 409
    if isinstance(exc, InvalidRequest):
        return 422
    return 400


def problem_response(
    request: Request,
    status: int,
    title: str,
    detail: str | None = None,
    code: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"{PROBLEM_TYPE}{code}" if code else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "code": code,
    }
    body.update({k: v for k, v in jsonable_encoder(extra or {}).items() if k not in _MEMBERS})
    return JSONResponse(
        {k: v for k, v in body.items() if v is not None},
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


async def _shop_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ShopError)
    return problem_response(
        request, status_for(exc), exc.title, exc.detail, exc.code, extra=exc.extra
    )


async def _problem_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        request, exc.status, exc.title, exc.detail, exc.code, exc.headers, exc.extra
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    title = _REASONS.get(exc.status_code, "Error")
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
    return problem_response(
        request, exc.status_code, title, detail, headers=getattr(exc, "headers", None)
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"location": list(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    return problem_response(
        request,
        422,
        "The request is not valid",
        "; ".join(f"{'.'.join(map(str, e['location']))}: {e['message']}" for e in errors),
        "validation-error",
        extra={"errors": errors},
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request,
        500,
        "Internal Server Error",
        "Something went wrong on our side; nothing was changed.",
        "internal",
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(ShopError, _shop_error)
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)


_DESCRIPTIONS = {
    400: "Malformed request",
    401: "Missing or wrong credentials or signature",
    403: "The credentials do not allow this",
    404: "Not found",
    409: "Conflicts with the current state",
    415: "Wrong content type",
    422: "Invalid input or a broken shop rule",
    503: "A dependency is unavailable",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for these statuses, all problem+json."""
    return {
        s: {
            "description": _DESCRIPTIONS.get(s, _REASONS.get(s, "Error")),
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for s in statuses
    }
