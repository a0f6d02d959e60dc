"""The worker that claimed a job, so a restarted worker fails only orphaned jobs (issue 15)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("jobs", "0002_run_at")]

    operations = [
        migrations.AddField(
            model_name="job",
            name="worker",
            field=models.CharField(blank=True, max_length=120, verbose_name="任务进程"),
        ),
    ]
