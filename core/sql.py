"""A query on a hot write path, compiled to SQL once per process instead of on every request.

Compiling a queryset (`as_sql`: resolving lookups, joins and subqueries) costs the Django process more
CPU than PostgreSQL spends running a small query, and a booking's facts query is rebuilt the same
on every booking with only a few values changed. `QueryTemplate` builds the queryset once with
stand-in values (placeholders of the right type that no real row has), compiles it, notes which of
the compiled parameters are the stand-ins, and from then on runs that SQL text with the real values
in those places through `connection.cursor()`: the same statement, parameterised the same way, as
the ORM would send. The queryset stays the one definition of the query; nothing is written by hand.

Only for querysets whose SQL does not depend on the values themselves: no `__in` lists whose length
varies, no `None` that turns a lookup into IS NULL, no values the ORM writes into the SQL text. The
compile checks that every stand-in reached the parameters, once per slot or more, and that none
appears in the SQL text; anything else raises at the first call, not at the hundredth; a value of
None is refused at every call (the ORM would have written IS NULL). The rows go through the compiled
query's own field converters, as the ORM's rows do. What is compiled stays compiled: a test that
patches the ORM at run time (say, `select_for_update` made a no-op) does not reach a template.

Compiled on PostgreSQL only, where the ORM passes these values to the driver as they are. Other
databases (the demo's SQLite) adapt them before they become parameters (a datetime becomes text), so
there a template simply evaluates its queryset with the real values, as the ORM always would."""

from __future__ import annotations

import datetime
import threading
import uuid
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet

_INT_BASE = -2_147_000_000  # within int4; no primary key or count is negative
_DATETIME_BASE = datetime.datetime(1901, 1, 1, tzinfo=datetime.UTC)


def _stand_in(kind: type, index: int) -> Any:
    if kind is int:
        return _INT_BASE - index
    if kind is datetime.datetime:
        return _DATETIME_BASE + datetime.timedelta(seconds=index, microseconds=index + 1)
    if kind is uuid.UUID:
        return uuid.UUID(int=0xC0FFEE_0000_0000_0000_0000_0000_0000 + index)
    raise TypeError(f"QueryTemplate slots are int, datetime or uuid.UUID, not {kind!r}")


class QueryTemplate:
    """`build(**values)` returns a queryset. For a `.values()` queryset, `rows(**values)` runs its SQL,
    compiled once per database alias, and returns one dict per row, keyed by the queryset's column
    names; for a queryset of model instances of one model (no select_related, no annotations),
    `objects(**values)` returns the instances, as the ORM makes them (`Model.from_db`).

        facts = QueryTemplate(lambda shift_id, now: Shift.objects.filter(...).values(...),
                              shift_id=int, now=datetime.datetime)
        facts.rows(shift_id=shift.pk, now=timezone.now())
    """

    def __init__(self, build: Callable[..., QuerySet], **slots: type) -> None:
        self._build = build
        self._slots = slots
        self._compiled: dict[str, tuple[str, list, list[str | None], Any]] = {}
        self._lock = threading.Lock()

    def compile(self, using: str = "default") -> tuple[str, list, list[str | None], Any]:
        """The SQL, its parameters as compiled with the stand-ins, for each parameter the slot it
        stands for (None: a constant of the query, sent as compiled), and the compiler (for its
        column names and converters, which do not depend on the values)."""
        compiled = self._compiled.get(using)
        if compiled is not None:
            return compiled
        with self._lock:
            if using not in self._compiled:
                stand_ins = {name: _stand_in(kind, i) for i, (name, kind) in enumerate(self._slots.items())}
                queryset = self._build(**stand_ins)
                compiler = queryset.query.get_compiler(using=using)
                sql, params = compiler.as_sql()
                params = list(params)
                by_value = {(type(value), value): name for name, value in stand_ins.items()}
                slots = [by_value.get((type(param), param)) for param in params]
                missing = set(stand_ins) - set(slots)
                if missing:
                    raise ValueError(f"QueryTemplate: {sorted(missing)} did not reach the parameters")
                inlined = [name for name, value in stand_ins.items() if str(value) in sql]
                if inlined:
                    raise ValueError(f"QueryTemplate: {inlined} were written into the SQL text")
                self._compiled[using] = (sql, params, slots, compiler)
        return self._compiled[using]

    def _check(self, values: dict[str, Any]) -> None:
        if values.keys() != self._slots.keys():
            raise TypeError(f"QueryTemplate needs exactly {sorted(self._slots)}, got {sorted(values)}")
        if any(value is None for value in values.values()):
            raise TypeError("QueryTemplate values cannot be None: the ORM would have written IS NULL")

    def _compiles(self, using: str, values: dict[str, Any]) -> bool:
        self._check(values)
        return connections[using].vendor == "postgresql"

    def _fetch(self, using: str, values: dict[str, Any]) -> tuple[list, Any]:
        sql, params, slots, compiler = self.compile(using)
        bound = [param if slot is None else values[slot] for param, slot in zip(params, slots, strict=True)]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, bound)
            rows = cursor.fetchall()
        # As the ORM reads rows (SQLCompiler.results_iter): the selected columns, then converters.
        rows = [row[: compiler.col_count] for row in rows]
        converters = compiler.get_converters(
            [column for column, _, _ in compiler.select[: compiler.col_count]]
        )
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        return rows, compiler

    def rows(self, using: str = "default", **values: Any) -> list[dict[str, Any]]:
        if not self._compiles(using, values):
            return list(self._build(**values).using(using))
        rows, compiler = self._fetch(using, values)
        query = compiler.query
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        return [dict(zip(names, row, strict=True)) for row in rows]

    def objects(self, using: str = "default", **values: Any) -> list:
        if not self._compiles(using, values):
            return list(self._build(**values).using(using))
        rows, compiler = self._fetch(using, values)
        klass_info = compiler.klass_info
        if klass_info is None or klass_info.get("related_klass_infos") or compiler.annotation_col_map:
            raise ValueError("QueryTemplate.objects is for a plain queryset of one model's rows")
        # As ModelIterable does for a queryset without select_related or annotations.
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [column.target.attname for column, _, _ in compiler.select[start:end]]
        model = klass_info["model"]
        return [model.from_db(using, names, row[start:end]) for row in rows]
