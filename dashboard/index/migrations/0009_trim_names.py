"""Queue, agent, flow and disposition names indexed before the indexer trimmed them
lose the spaces around them (the indexer's ``_name``), so "Support " is found,
compared and given its SLA as "Support"."""

from typing import Any

from django.db import migrations
from django.db.models import Q
from django.db.models.functions import Trim

NAMES = {
    "IndexedInteraction": ("flow_name", "disposition"),
    "QueueVisit": ("queue_name",),
    "AgentLeg": ("agent_name", "queue_name"),
}


def trim(apps: Any, schema_editor: Any) -> None:
    for model_name, columns in NAMES.items():
        model = apps.get_model("index", model_name)
        for column in columns:
            spaced = Q(**{f"{column}__startswith": " "}) | Q(**{f"{column}__endswith": " "})
            model.objects.filter(spaced).update(**{column: Trim(column)})


class Migration(migrations.Migration):
    dependencies = [("index", "0008_listed_span")]

    operations = [migrations.RunPython(trim, migrations.RunPython.noop)]
