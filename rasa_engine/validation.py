"""The action server's responses, checked against a schema compiled once instead of per call.

Rasa 3.6 checks every response of the action server with `jsonschema.validate`, which first
validates the schema itself against JSON Schema's 2020-12 metaschema — on every call, and that
is the costly part. Profiled with py-spy under `bench/turns.py` it was 24 ms of CPU per custom
action call, 40% of a bare `greet` turn (which calls `action_validate_slot_mappings`) and more
than half of an `add_items` turn (two calls). The schema never changes, so it is checked once
and the compiled validator kept; responses are judged exactly as before, and a bad one raises
the same `ValidationError` with the same message.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def response_validator() -> Validator:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """`RemoteAction._validate_action_result`, minus the per-call metaschema check."""
    error: ValidationError | None = best_match(response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def apply() -> None:
    RemoteAction._validate_action_result = validate_action_result
