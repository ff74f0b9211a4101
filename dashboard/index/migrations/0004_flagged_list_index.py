"""The flagged list's index: flagged rows only, by tenant and start (newest first), so
one page of the list is read in SQL (LIMIT/OFFSET) instead of every flagged row of the
range (measured with bench/index_search.py on 1,000,000 interactions).

On PostgreSQL it is built CONCURRENTLY and carries what the list counts and filters by
(INCLUDE), so the counts beside the page are answered from the index alone; SQLite gets
the same keys and condition without INCLUDE.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

NAME = "ix_flagged_list"
KEYS = "tenant_id, start DESC, id DESC"
INCLUDE = "flag_type, channel, interaction_id"


def create(apps: Any, schema_editor: Any) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    sql = "CREATE INDEX {} IF NOT EXISTS {} ON index_indexedinteraction ({})".format(
        "CONCURRENTLY" if postgres else "", NAME, KEYS
    )
    if postgres:
        sql += f" INCLUDE ({INCLUDE})"
    schema_editor.execute(sql + " WHERE flagged")


def drop(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [("index", "0003_search_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
