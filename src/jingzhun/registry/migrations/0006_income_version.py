"""版本 column on incomes for the no-lost-update check of the income API (issue 15)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_national_list_unknowns")]

    operations = [
        migrations.AddField(
            model_name="incomerecord",
            name="version",
            field=models.PositiveIntegerField(db_default=1, default=1, verbose_name="版本"),
        ),
    ]
