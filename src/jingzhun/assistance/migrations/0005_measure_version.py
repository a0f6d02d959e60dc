"""版本 column on help measures for the no-lost-update check of the measure API (issue 15)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("assistance", "0004_visit_photo_thumbnail")]

    operations = [
        migrations.AddField(
            model_name="helpmeasure",
            name="version",
            field=models.PositiveIntegerField(db_default=1, default=1, verbose_name="版本"),
        ),
    ]
