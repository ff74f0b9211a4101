"""``ix_flagged`` (tenant, flagged, start) indexed every interaction, flagged or not,
for the reads of flagged ones only: ``ix_flagged_list`` (0004, flagged rows only, by
tenant and start) answers them now (the flagged list, search by "any flag"), so the
sync writes one index entry less per interaction and the index is 60 MB smaller per
1,000,000 interactions (measured with bench/index_search.py)."""

from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("index", "0005_customer_tail")]

    operations = [migrations.RemoveIndex(model_name="indexedinteraction", name="ix_flagged")]
