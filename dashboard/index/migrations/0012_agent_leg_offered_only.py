"""Agent legs that were offers never accepted are marked, and no longer count as time
with the customer. Legs indexed before keep their old values until their interaction is
indexed again (``sync_interactions --reindex``)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("index", "0011_queue_visit_direct")]

    operations = [
        migrations.AddField(
            model_name="agentleg",
            name="offered_only",
            field=models.BooleanField(db_default=False, default=False),
        ),
    ]
