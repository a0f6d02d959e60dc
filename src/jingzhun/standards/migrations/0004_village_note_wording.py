"""The V-* rules' note no longer shows a developer's remark ("…未找到原文") to cadres; the rules keep
their 默认口径 flag. Only the note text changes, so the stored results of published versions stand."""

from django.db import migrations

OLD = "“一个确保、两个完善”未找到原文：发生率为“确保”，基础设施与公共服务为“两个完善”（默认口径）"
NEW = "湖南“一个确保、两个完善”：贫困发生率为“确保”，基础设施与公共服务为“两个完善”"


def forward(apps, schema_editor):
    apps.get_model("standards", "Rule").objects.filter(note=OLD).update(note=NEW)


def backward(apps, schema_editor):
    apps.get_model("standards", "Rule").objects.filter(note=NEW).update(note=OLD)


class Migration(migrations.Migration):
    dependencies = [("standards", "0003_exit_notice_days_and_exceptions")]
    operations = [migrations.RunPython(forward, backward)]
