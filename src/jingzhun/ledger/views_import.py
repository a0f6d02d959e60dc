"""台账导入 page: the same all-or-nothing import as `jingzhun ledger import`, run in the request (ledger
files are small — hundreds of rows), with the error list on the page and the error report (xlsx) to
download."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from jingzhun.accounts.access import actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.ledger.importer import import_ledger
from jingzhun.workbook.report import write_report

MAX_BYTES = 20 * 1024 * 1024
SUFFIXES = (".xlsx", ".csv", ".zip")


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    actor.require(Perm.LEDGER_IMPORT)
    context: dict[str, object] = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        name = Path(getattr(upload, "name", "") or "").name
        if upload is None or not name.lower().endswith(SUFFIXES):
            context["error"] = "请选择 .xlsx、.zip，或名为 问题.csv / 信访.csv / 单位.csv 的文件"
        elif (upload.size or 0) > MAX_BYTES:
            context["error"] = "文件超过 20 MB"
        else:
            workdir = Path(tempfile.mkdtemp(prefix="ledger-import-"))
            path = workdir / name
            with path.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            result = import_ledger(str(path), actor=actor)
            context["result"] = result
            if not result.ok:
                report = write_report(result, str(workdir / "错误报告.xlsx"))
                request.session["ledger_import_report"] = report
    return render(request, "ledger/import.html", context)


@login_required
def report(request: HttpRequest) -> FileResponse:
    actor = actor_for(request.user)
    actor.require(Perm.LEDGER_IMPORT)
    path = request.session.get("ledger_import_report")
    if not path or not Path(path).exists():
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, filename="台账导入错误报告.xlsx")  # noqa: SIM115
