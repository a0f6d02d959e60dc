"""Ledger items (台账事项), their moves (办理步骤) with attachments, escalations (督办升级) and the
kind-specific parts: directive recipients (指令签收), task indicators (任务指标), discipline cases (违纪案件).

One table for every kind: the engine, the clock and the scope are shared; a kind is data (kinds.py).
Moves are append-only: each carries the state, the effective deadline and the closing date *after* it,
so the state as of any date D is the last move on or before D (spec/ledger.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class UnitCategory(models.TextChoices):  # 单位类别 (sheet 单位)
    SECTOR = "行业部门"
    HELP = "帮扶单位"
    TOWNSHIP = "乡镇"
    OTHER = "其他"


class UnitProfile(models.Model):
    """The ledger's view of a unit (assistance.HelpUnit): its category (行业部门 · 帮扶单位 · 乡镇 · 其他)."""

    unit = models.OneToOneField(
        "assistance.HelpUnit", on_delete=models.CASCADE, related_name="ledger_profile"
    )
    category = models.CharField("类别", max_length=8, choices=UnitCategory.choices)

    class Meta:
        verbose_name = "单位类别"

    def __str__(self) -> str:
        return f"{self.unit_id} {self.category}"


class Item(models.Model):
    """台账事项: one problem, petition, directive, task or case."""

    kind = models.CharField("类型", max_length=16)
    code = models.CharField("编号", max_length=64)
    source = models.CharField("来源", max_length=20, blank=True)  # 问题来源 / 来源层级
    title = models.CharField("标题", max_length=200, blank=True)
    description = models.TextField("内容", blank=True)
    measures = models.TextField("整改措施", blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name="涉及地区", on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name="涉及户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "assistance.HelpUnit",
        verbose_name="责任单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_name = models.CharField("责任人", max_length=60, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    leader_name = models.CharField("包案领导", max_length=60, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="包案领导账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_on = models.DateField("交办日期")
    deadline = models.DateField("原定时限")
    due_on = models.DateField("时限")  # effective: deadline + approved extension + paused days
    status = models.CharField("状态", max_length=12)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    paused_since = models.DateField("暂停计时自", null=True, blank=True)
    extension_days = models.PositiveIntegerField("已延期天数", default=0)
    reopen_count = models.PositiveSmallIntegerField("重新打开次数", default=0)
    petitioner_name = models.CharField("信访人", max_length=60, blank=True)
    petitioner_phone = models.CharField("联系电话", max_length=20, blank=True)
    reply = models.TextField("答复意见", blank=True)
    origin = models.ForeignKey(
        "self", verbose_name="转办自", null=True, blank=True, on_delete=models.PROTECT, related_name="derived"
    )  # 信访转办: the petition a problem came from
    post = models.ForeignKey(
        "Post",
        verbose_name="下达单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued",
    )  # 指令: the command post that issued it
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "台账事项"
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="ledger_item_kind_code_uniq")]
        indexes = [
            models.Index(fields=["kind", "status"], name="ledger_item_kind_status_idx"),
            models.Index(fields=["region", "kind"], name="ledger_item_region_idx"),
            models.Index(fields=["due_on"], name="ledger_item_due_idx"),
            models.Index(fields=["code"], name="ledger_item_code_idx"),
            models.Index(fields=["responsible", "status"], name="ledger_item_resp_idx"),
            models.Index(fields=["status", "due_on"], name="ledger_item_status_due_idx"),
            # A list page: kind, in 编号 order, scope and as-of checked from the index (its count answered
            # from the index alone; a page reads only its 50 rows).
            models.Index(
                fields=[
                    "kind",
                    "code",
                    "region",
                    "assigned_on",
                    "status",
                    "due_on",
                    "closed_on",
                    "paused_since",
                ],
                name="ledger_item_kind_list_idx",
            ),
            # The summary: grouped by kind and source in index order, every state column, the as-of date,
            # the scope (region) and a 行业部门 user's unit read from the index alone — a fresh summary
            # reads no table row (migration 0004).
            models.Index(
                fields=[
                    "kind",
                    "source",
                    "status",
                    "due_on",
                    "closed_on",
                    "paused_since",
                    "assigned_on",
                    "region",
                    "unit",
                ],
                name="ledger_item_summary_idx",
            ),
            # The overdue board's two tables, each grouped in index order with no table row read (a
            # single grouping by kind, unit and township sorted 70,000 rows: 3–4× slower).
            models.Index(
                fields=["kind", "region", "status", "due_on", "paused_since"],
                name="ledger_item_board_region_idx",
            ),
            models.Index(
                fields=["unit", "kind", "status", "due_on", "paused_since", "region"],
                name="ledger_item_board_unit_idx",
            ),
            # The escalation pass's candidates (open, running, due by a cutoff) read from the index alone.
            models.Index(fields=["due_on", "status", "paused_since"], name="ledger_item_due_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title or self.description[:30]}"


class Step(models.Model):
    """办理步骤: one move (or a progress note, or an import update) of an item — append-only."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("操作", max_length=20)
    label = models.CharField("操作名称", max_length=20)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    status = models.CharField("状态", max_length=12)  # after the move
    on = models.DateField("日期")  # the day the move counts from (an import may give past dates)
    at = models.DateTimeField("记录时间", auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField("操作人", max_length=100, blank=True)
    note = models.TextField("说明", blank=True)
    evidence = models.TextField("佐证说明", blank=True)
    due_on = models.DateField("时限")  # effective deadline after the move
    closed_on = models.DateField("办结日期", null=True, blank=True)  # closing date after the move
    paused_since = models.DateField("暂停计时自", null=True, blank=True)  # after the move
    extension_days = models.PositiveIntegerField("延期天数", default=0)

    class Meta:
        verbose_name = "办理步骤"
        ordering = ["on", "id"]
        indexes = [
            models.Index(fields=["item", "on", "id"], name="ledger_step_item_on_idx"),
            models.Index(fields=["on"], name="ledger_step_on_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.label} → {self.status}"


class Attachment(models.Model):
    """佐证材料: an image or a PDF checked by its bytes, served only through a scoped view."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to="ledger/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    kind = models.CharField("格式", max_length=8)
    size = models.PositiveIntegerField("字节数")

    class Meta:
        verbose_name = "佐证材料"

    def __str__(self) -> str:
        return self.name


class Escalation(models.Model):
    """督办升级: a rung of the ladder an overdue item reached — once per item and rung (idempotent)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="escalations")
    rung = models.CharField("级别", max_length=16)
    label = models.CharField("措施", max_length=8)
    as_of = models.DateField("日期")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "督办升级"
        constraints = [models.UniqueConstraint(fields=["item", "rung"], name="ledger_escalation_uniq")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.label}"


class Post(models.Model):
    """指挥体系 (command posts as data): county 指挥部 with 一办四组 and sector posts, township 指挥部,
    village 作战室; a post issues directives to posts below it."""

    name = models.CharField("名称", max_length=100, unique=True)
    level = models.CharField("层级", max_length=8)  # 县 · 乡镇 · 村
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="ledger_posts")

    class Meta:
        verbose_name = "指挥部/作战室"
        ordering = ["region_id", "name"]

    def __str__(self) -> str:
        return self.name


class Recipient(models.Model):
    """One recipient post of a directive: 待签收 → 已签收 → 落实中 → 已反馈."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="recipients")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="received")
    status = models.CharField("状态", max_length=8, default="待签收")
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    reported_at = models.DateTimeField("反馈时间", null=True, blank=True)
    report = models.TextField("反馈内容", blank=True)

    class Meta:
        verbose_name = "指令接收单位"
        constraints = [models.UniqueConstraint(fields=["item", "post"], name="ledger_recipient_uniq")]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.post_id} {self.status}"


class Indicator(models.Model):
    """任务指标 target of one item (kind task): what is counted, the target, and how progress is known."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="indicator")
    metric = models.CharField("指标", max_length=40)  # e.g. 预脱贫人数, 出列村数
    target = models.PositiveIntegerField("目标值")
    source = models.CharField("进度来源", max_length=20, blank=True)  # computed source code, or "" = reported
    reported = models.PositiveIntegerField("填报进度", default=0)
    year = models.PositiveSmallIntegerField("年度")

    class Meta:
        verbose_name = "任务指标"

    def __str__(self) -> str:
        return f"{self.metric} {self.target}"


class CaseDetail(models.Model):
    """违纪案件 figures: people disciplined (处分), 移送司法, funds recovered (追缴) and returned (退还)."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="case")
    party_discipline = models.PositiveIntegerField("党纪处分人数", default=0)
    government_discipline = models.PositiveIntegerField("政务处分人数", default=0)
    judicial = models.PositiveIntegerField("移送司法人数", default=0)
    recovered = models.DecimalField("追缴金额(元)", max_digits=14, decimal_places=2, default=0)
    returned = models.DecimalField("退还群众金额(元)", max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = "违纪案件"

    def __str__(self) -> str:
        return f"案件 {self.item_id}"


class InspectionGroup(models.Model):
    """督查组: a supervision group with its members and the regions assigned to it. A member who holds the
    督查组 role sees and supervises the ledger items of the assigned regions (their subtrees) — the
    assignment moves with the county's rota, the role grant does not."""

    name = models.CharField("名称", max_length=100, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="inspection_groups")
    regions = models.ManyToManyField("regions.Region", blank=True, related_name="+")

    class Meta:
        verbose_name = "督查组"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
