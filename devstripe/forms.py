"""Stripe's form encoding: `line_items[0][price_data][recurring][interval]=month`, `expand[]=x`,
`metadata[donation_id]=…` into nested dicts and lists."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")

# Hashes whose keys are free-form: digit keys there stay keys, never list indexes.
_FREE_FORM = frozenset({"metadata"})


class FormError(ValueError):
    pass


def parse_pairs(pairs: list[tuple[str, str]]) -> dict:
    """Nest `(key, value)` pairs. `a[]` appends, `a[0]` indexes (both give lists), `a[b]` nests."""
    root: dict = {}
    for raw_key, value in pairs:
        match = _KEY.match(raw_key)
        if not match:
            raise FormError(f"Invalid parameter name: {raw_key}")
        parts = [match.group(1), *_PART.findall(match.group(2))]
        node = root
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            if part == "":
                part = str(len(node))
            if last:
                node[part] = value
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise FormError(f"Invalid parameter nesting: {raw_key}")
                node = child
    return _listify(root, parent_key=None)


def _listify(node, parent_key: str | None):
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value, key) for key, value in node.items()}
    if parent_key not in _FREE_FORM and converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def parse_form(body: str) -> dict:
    return parse_pairs(parse_qsl(body, keep_blank_values=True))
