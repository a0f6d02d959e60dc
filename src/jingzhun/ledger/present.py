"""What the pages show of an item: as-of state and overdue days, the petitioner masked for roles without
the sensitive permission (lib.masking), the moves this actor may make, and the xlsx export."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import xlsxwriter
from django.http import FileResponse, Http404, HttpResponse

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm
from jingzhun.core import audit
from jingzhun.ledger import clock, kinds, services
from jingzhun.ledger.models import Attachment, Item
from jingzhun.lib.masking import mask_name, mask_phone


def attachment_type(kind: str) -> str:
    """The media type of an attachment kind (services.ATTACHMENT_KINDS: the images and PDF)."""
    return "application/pdf" if kind == "pdf" else f"image/{kind}"


def attachment_response(attachment: Attachment) -> FileResponse:
    """The one download of a 佐证材料 (the page's and the API's): the file as stored, its type from the kind
    recognised by its bytes at upload, no sniffing (core.middleware makes every signed-in answer, page or
    token, `Cache-Control: no-store`). The caller has already checked
    scope (selectors.attachment_get: out of scope == missing == 404); a lost file is a 404 as well."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    content_type = attachment_type(attachment.kind)
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def shown_text(actor: Actor, kind: str, text: str) -> str:
    """An item's 内容 or a step's note as `actor` may see it (the kind's `mask_text`, kinds.Kind)."""
    mask = kinds.get(kind).mask_text
    return text if mask is None or actor.sees_sensitive or not text else mask(text)


def display_item(actor: Actor, item: Item, as_of: date) -> dict[str, Any]:
    status = getattr(item, "s_status", item.status)
    due = getattr(item, "s_due", item.due_on)
    closed = getattr(item, "s_closed", item.closed_on) if status in kinds.get(item.kind).closed else None
    paused = getattr(item, "s_paused", item.paused_since)
    days = clock.overdue_days(due, as_of, closed, paused)
    sensitive = actor.sees_sensitive
    return {
        "item": item,
        "pk": item.pk,
        "code": item.code,
        "kind": kinds.LABELS.get(item.kind, item.kind),
        "source": item.source,
        "region": item.region_id,
        "region_name": getattr(item.region, "name", ""),
        "unit": item.unit.name if item.unit is not None else "",
        "responsible": item.responsible_name,
        "assigned_on": item.assigned_on,
        "due_on": due,
        "status": status,
        "closed": status in kinds.get(item.kind).closed,
        "closed_on": closed,
        "overdue_days": days,
        "paused": paused,
        "description": shown_text(actor, item.kind, item.description),
        "petitioner": item.petitioner_name if sensitive else mask_name(item.petitioner_name),
        "phone": item.petitioner_phone if sensitive else mask_phone(item.petitioner_phone),
    }


def move_forms(actor: Actor, item: Item) -> list[dict[str, Any]]:
    """The moves of the table open to this actor now (permission and four eyes checked as the service does)."""
    spec = kinds.get(item.kind)
    if item.paused_since is not None:
        return []
    if item.kind == "case" and not actor.can(Perm.LEDGER_CASES):
        return []
    handlers = services._handler_ids(item)
    forms = []
    for move in spec.moves_from(item.status):
        if not actor.can(services.move_perm(move)):
            continue
        if move.four_eyes and (actor.user is None or actor.user.pk in handlers):
            continue
        if move.reopen and item.reopen_count >= spec.max_reopens:
            continue
        if move.extension and item.extension_days:
            continue
        # the kind's own precondition (a note is asked for on the form, so only the rest is checked here)
        if spec.guard is not None and spec.guard(actor, item, move, "…"):
            continue
        forms.append({"move": move, "danger": move.action in ("send_back", "refuse", "fail", "dismiss")})
    return forms


def export_xlsx(actor: Actor, query: Any, as_of: date, filename: str) -> HttpResponse:
    """The filtered list as .xlsx (the list columns of spec/ledger.md, plus petitioner columns masked as
    on the page); every export leaves an audit row (domain §11)."""
    from jingzhun.ledger.reports import LIST_HEADER

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet("台账")
    bold = book.add_format({"bold": True})
    header = [*LIST_HEADER, "内容", "信访人", "联系电话"]
    for col, title in enumerate(header):
        sheet.write_string(0, col, title, bold)
    count = 0
    for r, item in enumerate(query.iterator(chunk_size=2000), start=1):
        row = display_item(actor, item, as_of)
        values = [
            row["code"],
            row["kind"],
            row["source"],
            row["region"],
            row["unit"],
            row["responsible"],
            row["assigned_on"].isoformat(),
            row["due_on"].isoformat(),
            row["status"],
            "是" if row["overdue_days"] else "否",
            str(row["overdue_days"]),
            row["description"][:500],
            row["petitioner"],
            row["phone"],
        ]
        for col, value in enumerate(values):
            sheet.write_string(r, col, value)
        count = r
    book.close()
    from django.db import transaction

    with transaction.atomic():
        audit.record(
            actor=actor.user,
            action="ledger.export",
            object_type="ledger_export",
            object_id="list",
            object_label=filename,
            after={"rows": count, "as_of": as_of.isoformat()},
        )
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
