"""Where uploads wait for their import job (上传暂存): the imports folder under MEDIA_ROOT, also holding the
error reports the jobs leave. Read by the import jobs (registry and departmental), their pages and the
hourly sweep of abandoned uploads (`workbook.upload_sweep`)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

IMPORT_DIR = "imports"


def import_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / IMPORT_DIR
