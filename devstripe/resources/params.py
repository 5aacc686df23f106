"""Stripe's API errors, and the checks it makes of request parameters, as the stand-in answers them."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlsplit


class StandInError(Exception):
    """An API error in Stripe's shape; the HTTP layer answers it as JSON with `status`."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        type: str = "invalid_request_error",  # noqa: A002 - Stripe's field name
        param: str | None = None,
        code: str | None = None,
        decline_code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message, self.status, self.type = message, status, type
        self.param, self.code, self.decline_code = param, code, decline_code

    def body(self) -> dict:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.param:
            error["param"] = self.param
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.decline_code:
            error["decline_code"] = self.decline_code
        return {"error": error}


def missing(param: str) -> StandInError:
    return StandInError(f"Missing required param: {param}.", param=param, code="parameter_missing")


def no_such(kind: str, obj_id: str, param: str = "id", status: int = 404) -> StandInError:
    return StandInError(f"No such {kind}: '{obj_id}'", status=status, param=param, code="resource_missing")


def int_param(params: dict, name: str, param: str | None = None, *, minimum: int | None = None) -> int | None:
    if name not in params or params[name] == "":
        return None
    raw = params[name]
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise StandInError(f"Invalid integer: {raw}", param=param or name) from None
    if minimum is not None and value < minimum:
        raise StandInError(
            f"This value must be greater than or equal to {minimum}.",
            param=param or name,
            code="parameter_invalid_integer",
        )
    return value


def bool_param(params: dict, name: str) -> bool | None:
    if name not in params:
        return None
    raw = str(params[name]).lower()
    if raw not in ("true", "false"):
        raise StandInError(f"Invalid boolean: {params[name]}", param=name)
    return raw == "true"


def check_known(params: dict, allowed: set[str], prefix: str = "") -> None:
    for key in params:
        if key not in allowed and key != "expand":
            name = f"{prefix}[{key}]" if prefix else key
            raise StandInError(f"Received unknown parameter: {name}", param=name)


def check_url(params: dict, name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if (
        not isinstance(value, str)
        or urlsplit(value).scheme not in ("http", "https")
        or not urlsplit(value).netloc
    ):
        raise StandInError("Not a valid URL", param=name, code="url_invalid")
    return value


def metadata_param(value: Any, param: str) -> dict[str, str]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise StandInError("Invalid object", param=param)
    if len(value) > 50:
        raise StandInError("Metadata can have at most 50 keys.", param=param)
    for key, val in value.items():
        if len(key) > 40:
            raise StandInError("Metadata keys can be at most 40 characters.", param=f"{param}[{key}]")
        if not isinstance(val, str):
            raise StandInError("Metadata values must be strings.", param=f"{param}[{key}]")
        if len(val) > 500:
            raise StandInError("Metadata values can be at most 500 characters.", param=f"{param}[{key}]")
    return dict(value)


def merge_metadata(current: dict, update: Any, param: str = "metadata") -> dict:
    """Stripe's update semantics: keys set, an empty value unsets a key, `metadata=""` clears all."""
    if update == "":
        return {}
    merged = dict(current)
    for key, val in metadata_param(update, param).items():
        if val == "":
            merged.pop(key, None)
        else:
            merged[key] = val
    return merged


def normalize_card(card: str) -> str:
    return "".join(ch for ch in str(card) if ch.isdigit())


def diff(old: dict, new: dict) -> dict:
    """Stripe's previous_attributes: old values of changed top-level keys (for metadata, of the
    changed keys only, with null for keys that were added)."""
    previous: dict[str, Any] = {}
    for key, new_value in new.items():
        old_value = old.get(key)
        if old_value == new_value:
            continue
        if key == "metadata" and isinstance(old_value, dict) and isinstance(new_value, dict):
            changed = {
                k: old_value.get(k)
                for k in set(old_value) | set(new_value)
                if old_value.get(k) != new_value.get(k)
            }
            previous[key] = changed
        else:
            previous[key] = copy.deepcopy(old_value)
    return previous


def check_statement_descriptor(value, param: str, *, limit: int = 22) -> str | None:
    """Stripe's rule for statement descriptors and their suffixes: at most `limit` characters, at
    least one letter, none of < > \\ ' " *."""
    if value in (None, ""):
        return None
    if (
        not isinstance(value, str)
        or len(value) > limit
        or not any(ch.isalpha() for ch in value)
        or any(ch in "<>\\'\"*" for ch in value)
    ):
        raise StandInError(
            f"Invalid {param.rsplit('[', 1)[-1].rstrip(']')}: at most {limit} characters, at least one "
            "letter, none of < > \\ ' \" *",
            param=param,
        )
    return value
