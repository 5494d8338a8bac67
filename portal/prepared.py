"""Querysets compiled to SQL once per process, then run with new values.

Django builds and compiles a queryset to SQL every time it is evaluated. For the few queries
every article page runs, building and compiling them cost more than PostgreSQL answering them.
A ``PreparedQuery`` builds its queryset once, with a marker for each value that changes from
call to call, compiles it, and notes where the markers are among the SQL parameters. A call
puts the real values there and runs the same SQL through Django's own result handling, so
rows, converters, ``select_related`` and annotations come back exactly as from the queryset.

Markers and values are plain parameters (ints, strings, aware datetimes) that the ORM passes
to the database unchanged; a marker the ORM would write into the SQL text itself (a slice's
LIMIT, for one) is refused when the query is compiled, not silently baked in.
"""

import copy
import threading
from datetime import UTC, datetime

from django.core.exceptions import ImproperlyConfigured
from django.db import connections

MARKER_TIME = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)


def marker(kind: type, n: int = 0):
    """A value of ``kind`` no real query parameter will equal."""
    if kind is int:
        return 7_340_000_000 + n
    if kind is str:
        return f"\x1fmarker-{n}\x1f"
    if kind is datetime:
        return MARKER_TIME.replace(second=n)
    raise TypeError(f"no marker for {kind}")


class PreparedQuery:
    """``build(**markers)`` returns the queryset; ``query(**values)`` its results for ``values``
    (a list of what iterating the queryset gives: model instances, dicts, tuples)."""

    def __init__(self, build, **kinds: type):
        self.build = build
        self.markers = {name: marker(kind, n) for n, (name, kind) in enumerate(kinds.items())}
        self._compiled = {}
        self._lock = threading.Lock()

    def _compile(self, using: str):
        queryset = self.build(**self.markers)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = []
        for value in params:
            names = [n for n, m in self.markers.items() if type(value) is type(m) and value == m]
            slots.append(names[0] if names else None)
        missing = set(self.markers) - set(slots)
        inlined = [n for n, m in self.markers.items() if str(m) in sql]
        if missing or inlined:
            raise ImproperlyConfigured(
                f"{self.build}: markers {sorted(missing | set(inlined))} are not SQL parameters"
            )
        return queryset, compiler, sql, list(params), slots

    def __call__(self, using: str = "default", **values) -> list:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = compiled
        queryset, compiler, sql, params, slots = compiled
        if values.keys() != self.markers.keys():
            raise TypeError(f"expected values for {sorted(self.markers)}, got {sorted(values)}")
        filled = tuple(values[s] if s else p for s, p in zip(slots, params, strict=True))

        replay = copy.copy(compiler)
        replay.connection = connections[using]  # this thread's connection
        replay.as_sql = lambda *args, **kwargs: (sql, filled)
        clone = queryset._chain()
        # Only this clone replays, and it is evaluated here: a queryset chained from it would
        # copy the replaying compiler and run this SQL whatever it was filtered by.
        clone.query.get_compiler = lambda *args, **kwargs: replay
        return list(clone)
