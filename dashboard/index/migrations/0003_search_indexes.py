"""Indexes for the search, the typical-vs-this panel and the flagged list
(measured with bench/index_search.py on 1,000,000 interactions).

On PostgreSQL they are built CONCURRENTLY (no write lock on a large index) and
carry the figure the panel reads (INCLUDE), so it is answered from the index
alone; SQLite gets the same keys without INCLUDE.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

#: name -> (table, key columns, INCLUDE columns, WHERE)
INDEXES = {
    "ix_leg_queue": ("index_agentleg", "tenant_id, queue_name, started_at", "seconds_computed", ""),
    "ix_visit_wait": ("index_queuevisit", "tenant_id, queue_name, entered_at", "wait_seconds", ""),
    "ix_flow_total": ("index_indexedinteraction", "tenant_id, flow_name, start", "total_seconds", ""),
    "ix_flag_type": ("index_indexedinteraction", "tenant_id, flag_type, start DESC", "", "flagged"),
}


def create(apps: Any, schema_editor: Any) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, (table, keys, include, where) in INDEXES.items():
        sql = "CREATE INDEX {} IF NOT EXISTS {} ON {} ({})".format(
            "CONCURRENTLY" if postgres else "", name, table, keys
        )
        if include and postgres:
            sql += f" INCLUDE ({include})"
        if where:
            sql += f" WHERE {where}"
        schema_editor.execute(sql)


def drop(apps: Any, schema_editor: Any) -> None:
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [("index", "0002_sync_counters_and_timezone")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
