"""Visit photos keep a downscaled thumbnail made on upload (lib/thumbnails.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0003_open_pairings_by_helper_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="visitphoto",
            name="thumbnail",
            field=models.FileField(blank=True, upload_to="visits/thumbs/%Y/%m/", verbose_name="缩略图"),
        ),
    ]
