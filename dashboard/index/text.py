"""Text compared as the flagged list compares it in Python (``str.lower``), in SQL on
either database: ``Folded`` lower-cases every letter, not only ASCII ones (SQLite's own
``lower`` leaves "É" as it is), and ``sort_text`` orders by code point, as Python
compares strings, whatever the PostgreSQL database's collation.

SQLite gets the Python function as ``dashboard_lower`` on every connection
(``register_functions``, connected in ``apps.py``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Expression
from django.db.models.expressions import BaseExpression
from django.db.models.functions import Collate, Lower

#: The SQL name of ``str.lower`` on SQLite connections.
SQLITE_LOWER = "dashboard_lower"


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def register_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: give a SQLite connection ``str.lower`` (deterministic, so
    SQLite may use it in indexes and ORDER BY like its own)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_LOWER, 1, _lower, deterministic=True)


class Folded(Lower):
    """``LOWER`` of every letter, as ``str.lower`` (PostgreSQL's own does so already)."""

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function=SQLITE_LOWER, **extra)


def sort_text(expression: Expression | BaseExpression) -> BaseExpression:
    """``expression`` ordered by code point on PostgreSQL (``COLLATE "C"``), as Python and
    SQLite order text; a linguistic collation would put "Émile" before "Zed"."""
    return _CodePoint(expression)


class _CodePoint(Collate):
    def __init__(self, expression: Any) -> None:
        super().__init__(expression, "C")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return compiler.compile(self.source_expressions[0])
