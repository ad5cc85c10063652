"""No secret and no full phone number ever reaches a log, whoever logs it.

Masking happens where every log record is made (`logging.setLogRecordFactory`), so it covers
our loggers, httpx's request lines (the engine's tracker URL carries `?token=RASA_TOKEN`),
uvicorn's access log (Meta's verification handshake carries `hub.verify_token=` in the query)
and tracebacks, whatever handlers and formatters a process configures later. What is masked:

- the values of the settings' secrets (any `SecretStr` of at least `MIN_SECRET` characters);
- whatever follows a credential-looking query parameter or a `Bearer ` prefix;
- phone numbers — runs of 11 to 15 digits (WhatsApp ids carry the country code), and Indian
  mobiles written without it — keeping the last four digits, enough to tell shoppers apart.

The arguments of a record are masked one by one and keep their places, because formatters such
as uvicorn's access formatter read them (`record.args`) rather than the formatted message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr

from bot.settings import Settings, get_settings

MASK = "***"
MIN_SECRET = 8
_QUERY = re.compile(
    r"(?i)((?:[?&;]|\b)(?:hub\.verify_token|verify_token|access_token|token|api_key|key_secret"
    r"|secret|signature|password)=)[^&\s\"'<>]+"
)
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+")
_PHONE = re.compile(r"(?<![A-Za-z0-9+])(\+?)(\d{6,11})(\d{4})(?![A-Za-z0-9])")


def _phone(match: re.Match[str]) -> str:
    digits = match.group(2) + match.group(3)
    if len(digits) < 10 or (len(digits) == 10 and digits[0] not in "6789"):
        return match.group(0)
    return match.group(1) + "*" * len(match.group(2)) + match.group(3)


def secrets_of(settings: Settings) -> list[str]:
    """The secret values in these settings worth looking for in a log, longest first (so one
    that contains another is masked whole)."""
    values = {
        value.get_secret_value()
        for value in (getattr(settings, name) for name in type(settings).model_fields)
        if isinstance(value, SecretStr)
    }
    return sorted((v for v in values if len(v) >= MIN_SECRET), key=len, reverse=True)


def mask(text: str, secrets: list[str] | None = None) -> str:
    for secret in secrets if secrets is not None else _current_secrets():
        text = text.replace(secret, MASK)
    if "=" in text:  # the cheap test first: most lines have no parameters at all
        text = _QUERY.sub(lambda m: m.group(1) + MASK, text)
    if "bearer" in text.lower():
        text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    return _PHONE.sub(_phone, text)


_known: tuple[Settings | None, list[str]] = (None, [])


def _current_secrets() -> list[str]:
    """The secrets of the process's settings, worked out again only when they were reloaded."""
    global _known  # noqa: PLW0603 - one cache, replaced whole (no lock needed)
    try:
        settings = get_settings()
    except Exception:  # noqa: BLE001 - settings that do not load must not break logging
        return []
    if _known[0] is not settings:
        _known = (settings, secrets_of(settings))
    return _known[1]


def _masked_arg(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, bool | int | float) or value is None:
        return value  # numbers stay numbers for %d and %f
    text = value if isinstance(value, str) else str(value)
    masked = mask(text, secrets)
    return value if masked == text else masked


def mask_record(record: logging.LogRecord) -> None:
    secrets = _current_secrets()
    if isinstance(record.msg, str):
        record.msg = mask(record.msg, secrets)
    if isinstance(record.args, Mapping):
        record.args = {k: _masked_arg(v, secrets) for k, v in record.args.items()}
    elif isinstance(record.args, tuple):
        record.args = tuple(_masked_arg(a, secrets) for a in record.args)
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        # Formatters use exc_text when it is set: the traceback is formatted (and masked) once.
        record.exc_text = mask(logging.Formatter().formatException(record.exc_info), secrets)
    if record.stack_info:
        record.stack_info = mask(record.stack_info, secrets)


def install() -> None:
    """Mask every record this process makes from now on (once per process)."""
    make = logging.getLogRecordFactory()
    if getattr(make, "masks", False):
        return

    def masked_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        mask_record(record)
        return record

    masked_record.masks = True  # type: ignore[attr-defined]  # marks the factory as installed
    logging.setLogRecordFactory(masked_record)
