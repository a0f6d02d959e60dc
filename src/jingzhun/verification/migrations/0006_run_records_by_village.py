"""Issue 13: the summary's "比对 N 条记录" for the viewer's scope — a run keeps its records per village
(`ClueRun.village_records`); and a dismissed X-DIBAO clue is remembered per direction (record_key
`<record fingerprint>|<direction>`, engines.python.crosscheck.hit_record_key), derived here for the
clues stored before from their 说明, which names each disagreement."""

from django.db import migrations, models

PARTS = (
    ("登记为低保，但", "低保-"),
    ("有效低保记录，但登记低保为", "低保+"),
    ("登记为特困供养，但", "特困-"),
    ("有效特困记录，但登记特困供养为", "特困+"),
)


def direction(explanation: str) -> str:
    return "".join(code for text, code in PARTS if text in explanation)


def dibao_keys(apps, schema_editor):
    Clue = apps.get_model("verification", "Clue")
    rows = Clue.objects.filter(rule="X-DIBAO").exclude(record_key="").exclude(record_key__startswith="q:")
    changed = []
    for clue in rows.exclude(record_key__contains="|").only("id", "record_key", "explanation").iterator():
        clue.record_key = f"{clue.record_key}|{direction(clue.explanation)}"[:80]
        changed.append(clue)
    Clue.objects.bulk_update(changed, ["record_key"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0005_covering_match_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="cluerun",
            name="village_records",
            field=models.JSONField(blank=True, default=dict, verbose_name="各村比对记录数"),
        ),
        migrations.RunPython(dibao_keys, migrations.RunPython.noop),
    ]
