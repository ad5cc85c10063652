"""Request bodies read with a cap: a body larger than its route accepts is refused (413) as soon
as that is known — from Content-Length before a byte of it is read, or, for a chunked body,
the moment the bytes read so far pass the cap — never after holding all of it in memory."""

from __future__ import annotations

from fastapi import Request

from api.errors import ProblemError


def _too_large(limit: int) -> ProblemError:
    return ProblemError(
        413, "too-large", "Content Too Large", f"this endpoint accepts at most {limit} bytes"
    )


async def read_capped(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ProblemError(400, "bad-length", "Bad Request", "Content-Length is not a number")
        if int(declared) > limit:
            raise _too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
    return bytes(body)
