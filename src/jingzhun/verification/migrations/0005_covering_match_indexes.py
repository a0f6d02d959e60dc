"""The departmental records' match indexes cover what matching reads (issue 13 benchmark: the records are
reached through the index alone, never row by row): (id18, id_kind, dataset) and the near-match block
(name, birth_date, gender, id_kind, id18, dataset). Same names as before."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0003_clues_on_the_ledger"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="datasetrecord", name="dsrec_id18_idx"),
        migrations.RemoveIndex(model_name="datasetrecord", name="dsrec_near_idx"),
        migrations.AddIndex(
            model_name="datasetrecord",
            index=models.Index(fields=["id18", "id_kind", "dataset"], name="dsrec_id18_idx"),
        ),
        migrations.AddIndex(
            model_name="datasetrecord",
            index=models.Index(
                fields=["name", "birth_date", "gender", "id_kind", "id18", "dataset"], name="dsrec_near_idx"
            ),
        ),
    ]
