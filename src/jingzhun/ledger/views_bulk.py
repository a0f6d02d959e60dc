"""批量操作 on the list pages and 我的待办: supervisors tick items and 交办 / 批准延期 / 验收 them in one go —
all or nothing, and the message names the item that failed and why."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from jingzhun.accounts.access import actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.forms import Back, Done, submit
from jingzhun.ledger import bulk as bulk_ops
from jingzhun.ledger import selectors


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    actor.require(Perm.LEDGER_ASSIGN)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back.startswith(
        "/ledger/"
    ):
        back = "/ledger/inbox/"

    def apply(post: QueryDict) -> Done:
        items = []
        for pk in (p for p in post.getlist("items") if p.isdigit()):
            try:
                items.append(selectors.item_get(actor, pk))
            except Http404 as exc:
                raise ValidationFailed({"items": f"事项 #{pk} 不存在或不在您的范围内（全部未执行）"}) from exc
        try:
            days = int(post.get("extension_days") or 0)
        except ValueError:
            days = -1
        unit = None
        if post.get("unit"):
            unit = selectors.unit_get(post["unit"])
            if unit is None:
                raise ValidationFailed({"unit": "责任单位不存在"})
        done = bulk_ops.bulk_apply(
            actor=actor,
            op=post.get("op", ""),
            items=items,
            note=post.get("note", ""),
            evidence=post.get("evidence", ""),
            extension_days=days,
            unit=unit,
            responsible_name=post.get("responsible_name", ""),
        )
        return Done(f"已批量办理 {len(done)} 件：{'、'.join(i.code for i in done)}", back)

    return submit(request, None, apply, back=Back(back))
