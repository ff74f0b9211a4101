"""Queue visits of a direct transfer (queue type "resource", named after the agent) are
marked, so that lists, filters and comparisons of queues leave them out. Visits indexed
before are marked when the sync next rewrites their interaction."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("index", "0010_lower_hook_types")]

    operations = [
        migrations.AddField(
            model_name="queuevisit",
            name="direct",
            field=models.BooleanField(db_default=False, default=False),
        ),
    ]
