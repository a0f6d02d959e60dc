"""台账 (ledgers): list and filter items per kind, an item with its steps, make a move, add a progress note
— each write also as multipart/form-data with attachments (佐证材料: images and PDF), checked by the same
service as the pages' uploads (type by the bytes, size, count) and saved with the step and its audit row in
one transaction.

Reads go through ledger.selectors (scope as the pages: region, 督查组 assignment, a 行业部门 user's unit,
cases only for 纪委; out of scope == missing == 404); writes through the same services as the pages
(transition table, permission, four eyes, evidence, clock), whose ValidationFailed is a 422. Petitioner
data is masked for roles without the sensitive permission, as on the pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from ninja import File, Form, Path, Query, Router, Status, UploadedFile

from jingzhun.accounts.access import Actor, actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.api.shapes import MAX_ID
from jingzhun.ledger import kinds, reports, selectors, services
from jingzhun.ledger.api_schemas import (
    LedgerFilterIn,
    LedgerItemDetailOut,
    LedgerMoveIn,
    LedgerNoteIn,
    LedgerPageOut,
    LedgerStepOut,
)
from jingzhun.ledger.models import Attachment, Item, Step
from jingzhun.ledger.present import attachment_response, attachment_type, display_item, move_forms, shown_text
from jingzhun.ledger.services import ATTACHMENT_KINDS

router = Router(tags=["台账 ledger"])
ITEM_ID = Path(..., ge=1, le=MAX_ID, description="事项 id")
ATTACHMENT_ID = Path(..., ge=1, le=MAX_ID, description="附件 id（事项详情中办理过程的 attachments[].id）")
_BINARY = {"schema": {"type": "string", "format": "binary"}}


def _reader(request: HttpRequest) -> Actor:
    actor = actor_for(request.auth)  # type: ignore[attr-defined]
    actor.require(Perm.LEDGER_VIEW)  # no ledger: the same 404 as a missing item
    return actor


def _item(actor: Actor, item: Item, as_of: date) -> dict[str, Any]:
    shown = display_item(actor, item, as_of)
    return {
        "id": item.pk,
        "kind": item.kind,
        "kind_label": shown["kind"],
        "code": item.code,
        "source": item.source,
        "title": item.title,
        "description": shown["description"],
        "region": item.region_id,
        "region_name": shown["region_name"],
        "household": item.household.code if item.household is not None else None,
        "unit": shown["unit"],
        "responsible": item.responsible_name,
        "leader": item.leader_name,
        "assigned_on": item.assigned_on,
        "deadline": item.deadline,
        "due_on": shown["due_on"],
        "status": shown["status"],
        "closed": shown["closed"],
        "closed_on": shown["closed_on"],
        "overdue_days": shown["overdue_days"],
        "paused_since": shown["paused"],
        "petitioner": shown["petitioner"],
        "phone": shown["phone"],
    }


def _visible_kind(actor: Actor, kind: str) -> str:
    if kind and (kind not in kinds.KINDS or (kind == "case" and not actor.can(Perm.LEDGER_CASES))):
        raise Http404
    return kind


@router.get(
    "/items",
    response=LedgerPageOut,
    summary="台账事项列表（按类型、状态、来源、地区、单位、逾期筛选；游标分页）",
)
def item_list(request: HttpRequest, filters: Query[LedgerFilterIn]):
    """Items the caller may see, in id order, with their state as of `as_of`; pass `next` back as `after`."""
    actor = _reader(request)
    as_of = filters.as_of or date.today()
    flt = reports.Filter(
        kind=_visible_kind(actor, filters.kind),
        status=filters.status,
        overdue=filters.overdue,
        region=filters.region if filters.region.isdigit() else "",
        source=filters.source,
        unit=filters.unit,
    )
    if filters.region and not filters.region.isdigit():
        return {"items": [], "next": None}
    query = reports.filtered(selectors.items_visible(actor), flt, as_of).select_related(
        "unit", "region", "household"
    )
    if filters.after is not None:
        query = query.filter(pk__gt=filters.after)
    rows = list(query.order_by("pk")[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    return {"items": [_item(actor, i, as_of) for i in rows], "next": rows[-1].pk if more else None}


def _steps(actor: Actor, item: Item) -> list[dict[str, Any]]:
    steps = item.steps.prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
    return [_step(actor, item.kind, s) for s in steps.order_by("on", "id")]


def _step(actor: Actor, kind: str, step: Step) -> dict[str, Any]:
    """One step as LedgerStepOut: the item's timeline and a new progress note are the same shape."""
    return {
        "id": step.pk,
        "action": step.action,
        "label": step.label,
        "from_status": step.from_status,
        "status": step.status,
        "on": step.on,
        "at": step.at,
        "actor": step.actor_name,
        "note": shown_text(actor, kind, step.note),
        "evidence": step.evidence,
        "attachments": [_attachment(a) for a in step.attachments.all()],
    }


def _attachment(a: Attachment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "name": a.name,
        "kind": a.kind,
        "size": a.size,
        "url": reverse("ledger:attachment", args=[a.pk]),
        "download_url": reverse("api:ledger_attachment_download", kwargs={"attachment_id": a.pk}),
    }


@router.get(
    "/attachments/{attachment_id}",
    url_name="ledger_attachment_download",
    summary="下载办理过程的附件（佐证材料：图片或 PDF，按管辖范围校验）",
    openapi_extra={
        "responses": {
            200: {
                "description": "文件内容（Content-Type 为其格式）",
                "content": {attachment_type(k): _BINARY for k in sorted(ATTACHMENT_KINDS)},
            }
        }
    },
)
def attachment_download(request: HttpRequest, attachment_id: int = ATTACHMENT_ID) -> FileResponse:
    """The file of one attachment of a step, with the API's own authentication (token or session): the
    same scope as the item (out of scope or missing == 404; cases only for 纪委) and the same response
    as the pages' download (`present.attachment_response`)."""
    actor = _reader(request)
    return attachment_response(selectors.attachment_get(actor, attachment_id))


def _detail(actor: Actor, item: Item) -> dict[str, Any]:
    return {
        **_item(actor, item, date.today()),
        "reply": item.reply,
        "measures": item.measures,
        "steps": _steps(actor, item),
        "escalations": list(item.escalations.order_by("id").values_list("label", flat=True)),
        "recipients": [
            {"post": r.post.name, "status": r.status, "signed_at": r.signed_at, "reported_at": r.reported_at}
            for r in item.recipients.select_related("post").order_by("post__name")
        ],
        "moves": [
            {
                "action": f["move"].action,
                "label": f["move"].label,
                "target": f["move"].target,
                "evidence": f["move"].evidence,
                "extension": f["move"].extension,
            }
            for f in move_forms(actor, item)
        ],
    }


@router.get(
    "/items/{item_id}",
    response=LedgerItemDetailOut,
    summary="台账事项详情（办理过程、督办升级、可执行的操作）",
)
def item_detail(request: HttpRequest, item_id: int = ITEM_ID):
    actor = _reader(request)
    return _detail(actor, selectors.item_get(actor, item_id))


@router.post(
    "/items/{item_id}/moves",
    response=LedgerItemDetailOut,
    summary="办理：执行一步操作（按流转表、权限、四眼原则、佐证）",
)
def item_move(request: HttpRequest, payload: LedgerMoveIn, item_id: int = ITEM_ID):
    return _move(request, item_id, payload, [])


@router.post(
    "/items/{item_id}/moves/upload",
    response=LedgerItemDetailOut,
    summary="办理并上传佐证材料（multipart/form-data：字段同 moves，文件字段 attachments，图片或 PDF）",
)
def item_move_upload(
    request: HttpRequest,
    payload: Form[LedgerMoveIn],
    attachments: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    item_id: int = ITEM_ID,
):
    """The same move as `moves`, with up to 9 attachments (JPEG, PNG, GIF, WebP or PDF, ≤ 10 MB each,
    checked by their bytes); a closing move's evidence may be these files instead of the text. A refused
    move or a refused file (422, Chinese message) writes nothing — neither the step nor any file."""
    return _move(request, item_id, payload, list(attachments or []))


def _move(request: HttpRequest, item_id: int, payload: LedgerMoveIn, files: list[Any]) -> dict[str, Any]:
    """The one code path of both move operations (JSON, and multipart with files): scope, then the service."""
    actor = _reader(request)
    services.item_move(
        actor=actor,
        item=selectors.item_get(actor, item_id),
        action=payload.action,
        note=payload.note,
        evidence=payload.evidence,
        attachments=files,
        extension_days=payload.extension_days,
        reply=payload.reply,
        on=payload.on,
    )
    return _detail(actor, selectors.item_get(actor, item_id))


@router.post("/items/{item_id}/notes", response={201: LedgerStepOut}, summary="记录进展")
def item_note(request: HttpRequest, payload: LedgerNoteIn, item_id: int = ITEM_ID):
    return _note(request, item_id, payload, [])


@router.post(
    "/items/{item_id}/notes/upload",
    response={201: LedgerStepOut},
    summary="记录进展并上传照片或 PDF（multipart/form-data：note、on，文件字段 attachments）",
)
def item_note_upload(
    request: HttpRequest,
    payload: Form[LedgerNoteIn],
    attachments: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    item_id: int = ITEM_ID,
):
    """A progress note with up to 9 photos or PDFs, checked as on the pages (type by the bytes, ≤ 10 MB)."""
    return _note(request, item_id, payload, list(attachments or []))


def _note(request: HttpRequest, item_id: int, payload: LedgerNoteIn, files: list[Any]) -> Status:
    """The one code path of both note operations (JSON, and multipart with files)."""
    actor = _reader(request)
    item = selectors.item_get(actor, item_id)
    if not actor.can(Perm.LEDGER_HANDLE):
        raise Http404
    step = services.item_note(actor=actor, item=item, note=payload.note, on=payload.on, attachments=files)
    attachments = Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    return Status(201, _step(actor, item.kind, Step.objects.prefetch_related(attachments).get(pk=step.pk)))
