"""The mapping step of a national person list upload (docs/national-list.md): after the upload the page
shows the detected layout, each column's mapping and the ignored columns; a hand mapping of an
unrecognised header is remembered for the county's next file (`workbook.mapping`); then the import runs
as the registry workbook's does (job, progress bar, lock, all-or-nothing report)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from jingzhun.accounts.access import Actor, actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.jobs.queue import enqueue
from jingzhun.workbook import national_layout as L
from jingzhun.workbook.columns import normalize_header
from jingzhun.workbook.file_reader import Workbook, WorkbookError
from jingzhun.workbook.mapping import header_mappings_remember
from jingzhun.workbook.national import find_sheet, mapping_county
from jingzhun.workbook.upload_store import import_dir

SESSION_KEY = "national_uploads"


def detect(path: Path, actor: Actor, header_map: dict[str, str] | None = None) -> L.ColumnMap | None:
    """The column mapping of a stored upload when it is a national person list, else None."""
    try:
        with Workbook(str(path)) as book:
            found = find_sheet(book, actor=actor, header_map=header_map)
    except WorkbookError:
        return None
    return found[1] if found is not None else None


def remember_upload(request: HttpRequest, *, stored: str, filename: str, dry_run: bool) -> str:
    """Keep the pending upload in the uploader's session (nobody else can continue it); returns its token."""
    token = Path(stored).stem
    uploads = dict(request.session.get(SESSION_KEY) or {})
    uploads[token] = {"path": stored, "filename": filename, "dry_run": dry_run}
    request.session[SESSION_KEY] = uploads
    return token


def can_remember(actor: Actor) -> bool:
    county = mapping_county(actor)
    return county is not None and any(len(p) <= 6 for p in actor.prefixes)


def _rows(colmap: L.ColumnMap) -> list[dict[str, Any]]:
    taken = set(colmap.index)
    rows = []
    for column in colmap.columns:
        choosable = column.how in ("", L.HOW_REMEMBERED, L.HOW_MANUAL)
        choices = (
            [(key, L.LABELS[key]) for key in L.KEYS if key == column.key or key not in taken]
            if choosable
            else []
        )
        rows.append(
            {
                "number": column.index + 1,
                "header": column.header,
                "key": column.key or "",
                "label": L.LABELS[column.key] if column.key else "",
                "how": column.how,
                "choosable": choosable,
                "choices": choices,
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def national_mapping(request: HttpRequest, token: str) -> HttpResponse:
    actor = actor_for(request.user)
    actor.require(Perm.IMPORT_REGISTRY)
    pending = (request.session.get(SESSION_KEY) or {}).get(token)
    path = import_dir() / pending["path"] if pending else None
    if pending is None or path is None or not path.exists():
        raise Http404
    manual: dict[str, str] = {}
    error = ""
    if request.method == "POST":
        base = detect(path, actor)
        for column in base.columns if base else []:
            value = request.POST.get(f"map-{column.index}")
            if value is None:
                continue
            if value and value not in L.LABELS:
                continue
            manual[normalize_header(column.header)] = value
    colmap = detect(path, actor, manual)
    if colmap is None:
        raise Http404
    if request.method == "POST":
        year_text = request.POST.get("year", "").strip()
        year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
        if year_text and year is None:
            error = "导入年度应为4位数字，如 2024"
        elif colmap.missing_required:
            error = f"还缺少必填列：{'、'.join(colmap.missing_required)}，请把文件中的列对应到它们"
        elif colmap.duplicates:
            error = f"有两列对应到同一项：{'、'.join(h for h, _ in colmap.duplicates)}"
        else:
            chosen = {h: k for h, k in manual.items() if k}
            if chosen and request.POST.get("remember") == "1" and can_remember(actor):
                county = mapping_county(actor)
                assert county is not None
                header_mappings_remember(actor=actor, county=county, mappings=chosen)
            uploads = dict(request.session.get(SESSION_KEY) or {})
            uploads.pop(token, None)
            request.session[SESSION_KEY] = uploads
            dry_run = bool(pending.get("dry_run"))
            job = enqueue(
                kind="registry_import",
                created_by=request.user,
                params={
                    "path": pending["path"],
                    "filename": pending["filename"],
                    "dry_run": dry_run,
                    "year": year,
                    "header_map": manual,
                    "label": f"全国系统名单{'校验' if dry_run else '导入'}：{pending['filename']}",
                },
            )
            return redirect("jobs:detail", pk=job.pk)
    context = {
        "token": token,
        "filename": pending["filename"],
        "mapping": colmap.to_dict(),
        "rows": _rows(colmap),
        "lines": L.describe(colmap.to_dict()),
        "can_remember": can_remember(actor),
        "error": error,
    }
    return render(request, "workbook/national_mapping.html", context, status=400 if error else 200)
