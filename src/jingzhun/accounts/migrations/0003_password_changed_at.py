from django.db import migrations, models
from django.utils import timezone


def stamp_existing(apps, schema_editor):
    # Accounts from before the password age: their clock starts now rather than expiring them all at once.
    apps.get_model("accounts", "User").objects.update(password_changed_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_token_expiry_and_revocation"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="password_changed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="密码修改时间"),
        ),
        migrations.RunPython(stamp_existing, migrations.RunPython.noop),
    ]
