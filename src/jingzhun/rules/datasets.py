"""The departmental datasets (部门数据, spec/verification.md §2): each dataset's columns, which are
required, and which typed column of `DatasetRecord` each one fills. Plain data, no Django.

A record keeps every column as imported (`DatasetRecord.data`, in the dataset's header order); the
columns the rules read are also typed (`date1`, `date2`, `kind`, `status`, `amount`, `year`) so the
set-based SQL reads them without parsing JSON over ten million rows."""

from __future__ import annotations

from dataclasses import dataclass

ID = "证件号码"
NAME = "姓名"

# Kinds of cell parsing
TEXT, DATE, MONEY, YEAR = "text", "date", "money", "year"


@dataclass(frozen=True)
class Column:
    label: str
    required: bool = False
    slot: str = ""  # the typed column of DatasetRecord it fills ("" = kept in `data` only)
    kind: str = TEXT
    allowed: tuple[str, ...] = ()  # a closed vocabulary (救助类别, 学籍状态, …)


@dataclass(frozen=True)
class DatasetSpec:
    name: str  # 数据集, the sheet / CSV name
    source: str  # 来源部门
    rule: str  # the X-* rule that reads it
    columns: tuple[Column, ...]

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.label for c in self.columns if c.required]


def _id() -> Column:
    return Column(ID, True)


def _name(required: bool = True) -> Column:
    return Column(NAME, required)


SPECS: tuple[DatasetSpec, ...] = (
    DatasetSpec(
        "死亡人口", "公安/民政/卫健", "X-DEATH", (_id(), _name(), Column("死亡日期", True, "date1", DATE))
    ),
    DatasetSpec(
        "户籍迁出",
        "公安",
        "X-MOVED",
        (_id(), _name(), Column("迁出日期", True, "date1", DATE), Column("迁往地区")),
    ),
    DatasetSpec(
        "车辆登记",
        "公安交管",
        "X-VEHICLE",
        (
            _id(),
            _name(),
            Column("号牌号码", True),
            Column("车辆类型", True, "kind"),
            Column("注册日期", False, "date1", DATE),
        ),
    ),
    DatasetSpec(
        "商品房",
        "住建/不动产",
        "X-HOUSE",
        (
            _id(),
            _name(),
            Column("房屋坐落", True),
            Column("建筑面积", False, "amount", MONEY),
            Column("登记日期", False, "date1", DATE),
        ),
    ),
    DatasetSpec(
        "工商注册",
        "市场监管",
        "X-BUSINESS",
        (
            _id(),
            _name(),
            Column("企业名称", True),
            Column("身份", True, "kind"),
            Column("注册资本（万元）", True, "amount", MONEY),
            Column("经营状态", True, "status"),
        ),
    ),
    DatasetSpec(
        "财政供养",
        "财政/人社",
        "X-PAYROLL",
        (_id(), _name(), Column("工作单位", True), Column("人员类别", False, "kind")),
    ),
    DatasetSpec(
        "低保特困",
        "民政",
        "X-DIBAO",
        (
            _id(),
            _name(),
            Column("救助类别", True, "kind", allowed=("低保", "特困")),
            Column("起始日期", True, "date1", DATE),
            Column("终止日期", False, "date2", DATE),
        ),
    ),
    DatasetSpec(
        "残疾人",
        "残联",
        "X-DISABILITY",
        (_id(), _name(), Column("残疾类别", True, "kind"), Column("残疾等级", True, "status")),
    ),
    DatasetSpec(
        "学籍",
        "教育",
        "X-SCHOOL",
        (
            _id(),
            _name(),
            Column("学段", True, "kind"),
            Column("学籍状态", True, "status", allowed=("在读", "休学", "辍学")),
        ),
    ),
    DatasetSpec(
        "医保参保",
        "医保",
        "X-INSURANCE",
        (
            _id(),
            _name(),
            Column("参保年度", True, "year", YEAR),
            Column("参保状态", True, "status", allowed=("参保", "未参保")),
        ),
    ),
    DatasetSpec(
        "危房鉴定",
        "住建",
        "X-HOUSING",
        (
            _id(),
            _name(required=False),
            Column("鉴定等级", True, "kind", allowed=("A", "B", "C", "D")),
            Column("鉴定日期", True, "date1", DATE),
        ),
    ),
)
SPEC_BY_NAME: dict[str, DatasetSpec] = {s.name: s for s in SPECS}
SPEC_BY_RULE: dict[str, DatasetSpec] = {s.rule: s for s in SPECS}

# 匹配方式, best first (a member's records are ranked by it)
BY_ID, BY_OLD_ID, BY_NEAR = "证件号码", "旧证件号码", "近似"
METHODS = (BY_ID, BY_OLD_ID, BY_NEAR)
METHOD_RANK = {m: i for i, m in enumerate(METHODS)}
# DatasetRecord.id_kind: how its ID can be matched
KIND_ID, KIND_OLD, KIND_NONE = "i", "o", ""

# The typed columns of DatasetRecord that the datasets' columns fill (`Column.slot`), in this order.
SLOTS = ("date1", "date2", "kind", "status", "amount", "year")
# What the matching and the rules read of a record (besides its id and its dataset) …
RECORD_READ = ("id18", "id_kind", "name", "birth_date", "gender", *SLOTS, "key", "data")
# … as the import writes it (DatasetRecord's columns, in the importer's tuple order) …
RECORD_COLUMNS = ("dataset", "row", "id_number", *RECORD_READ)
# … and as the cross-check loads it (`verification.crosscheck.record`).
RECORD_FIELDS = ("id", "dataset_id", *RECORD_READ)
