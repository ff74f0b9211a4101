"""CRM hook types indexed before the indexer lower-cased them ("Zendesk") become what a
ticket link looks up ("zendesk")."""

from typing import Any

from django.db import migrations
from django.db.models import Q
from django.db.models.functions import Lower, Trim


def lower(apps: Any, schema_editor: Any) -> None:
    hook = apps.get_model("index", "Hook")
    hook.objects.filter(~Q(hook_type=Lower(Trim("hook_type")))).update(
        hook_type=Lower(Trim("hook_type"))
    )


class Migration(migrations.Migration):
    dependencies = [("index", "0009_trim_names")]

    operations = [migrations.RunPython(lower, migrations.RunPython.noop)]
