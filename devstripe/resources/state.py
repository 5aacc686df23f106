"""The objects the stand-in holds: lookup by id and type, and `expand` (Stripe's `expand[]`, dotted
paths and includable fields too)."""

from __future__ import annotations

import copy
from typing import Any

from devstripe import objects as o
from devstripe.resources.params import (
    StandInError,
    no_such,
)


class StateMixin:
    """Part of `devstripe.server.StandIn` (see there for its state and lock)."""

    @property
    def url(self) -> str:
        return self.public_url or self.base_url or "http://127.0.0.1:12111"

    def get(self, obj_id: str) -> dict:
        """A copy of any object the stand-in holds, by id (KeyError if unknown)."""
        with self._lock:
            return copy.deepcopy(self._objects[obj_id])

    def all(self, object_type: str) -> list[dict]:
        """Copies of every object of one type (`"charge"`, `"checkout.session"`, …), oldest first."""
        with self._lock:
            return [copy.deepcopy(obj) for obj in self._objects.values() if obj["object"] == object_type]

    def events_of(self, event_type: str) -> list[dict]:
        return [event for event in self.events if event["type"] == event_type]

    def _store(self, obj: dict) -> dict:
        self._objects[obj["id"]] = obj
        return obj

    def _find(self, kind: str, obj_id: Any, param: str = "id", status: int = 404) -> dict:
        obj = self._objects.get(obj_id) if isinstance(obj_id, str) else None
        if obj is None or obj["object"] != kind:
            raise no_such(kind, str(obj_id), param, status)
        return obj

    # --- expansion ----------------------------------------------------------------------------
    def _includable(self, node: dict, key: str) -> dict | None:
        if node.get("object") == "checkout.session" and key == "line_items":
            return o.list_object(
                copy.deepcopy(self._private[node["id"]]["line_items"]),
                f"/v1/checkout/sessions/{node['id']}/line_items",
            )
        if node.get("object") == "invoice" and key == "payments":
            return self._invoice_payments(node["id"])
        return None

    def expand(self, obj: dict, paths: list[str]) -> dict:
        obj = copy.deepcopy(obj)
        for path in paths:
            self._expand_path(obj, path.split("."), path)
        return obj

    def _expand_path(self, node: Any, parts: list[str], full: str) -> None:
        if not isinstance(node, dict):
            return
        key, rest = parts[0], parts[1:]
        if node.get("object") == "list" and key == "data":
            for item in node["data"]:
                if rest:
                    self._expand_path(item, rest, full)
            return
        includable = self._includable(node, key)
        if includable is not None:
            node[key] = includable
        elif isinstance(node.get(key), str) and node[key] in self._objects:
            node[key] = copy.deepcopy(self._objects[node[key]])
        elif key in node and (node[key] is None or isinstance(node[key], dict)):
            pass
        else:
            raise StandInError(f"This property cannot be expanded ({full}).", param="expand")
        if rest:
            self._expand_path(node[key], rest, full)
