"""The audit trail becomes tamper-evident: a hash chain over the entries, and triggers that make the
database refuse UPDATE and DELETE on the table (core.chain, core.appendonly).

Forwards: the two hash columns, the entries already written linked in id order, then the triggers.
Backwards: the triggers dropped, then the columns (the entries themselves are kept).
"""

from django.db import migrations, models
from django.utils import timezone


def link_existing(apps, schema_editor):
    from jingzhun.core import chain

    entry_model = apps.get_model("core", "AuditEntry")
    prev = chain.GENESIS
    last_id = 0
    while True:
        batch = list(entry_model.objects.filter(id__gt=last_id).order_by("id")[:2000])
        if not batch:
            break
        for item in batch:
            item.prev_hash = prev
            item.row_hash = prev = chain.link(prev, [getattr(item, name) for name in chain.FIELDS])
        entry_model.objects.bulk_update(batch, ["prev_hash", "row_hash"])
        last_id = batch[-1].id


def install_triggers(apps, schema_editor):
    from jingzhun.core import appendonly

    appendonly.install(schema_editor.connection)


def remove_triggers(apps, schema_editor):
    from jingzhun.core import appendonly

    appendonly.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="at",
            field=models.DateTimeField(db_index=True, default=timezone.now, verbose_name="时间"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="前一条哈希"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="row_hash",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="哈希"),
        ),
        migrations.RunPython(link_existing, migrations.RunPython.noop),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
