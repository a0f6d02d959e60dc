"""版本 column on households and members for the no-lost-update check (issue 15)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_exit_procedure_steps")]

    operations = [
        migrations.AddField(
            model_name="household",
            name="version",
            field=models.PositiveIntegerField(db_default=1, default=1, verbose_name="版本"),
        ),
        migrations.AddField(
            model_name="member",
            name="version",
            field=models.PositiveIntegerField(db_default=1, default=1, verbose_name="版本"),
        ),
    ]
