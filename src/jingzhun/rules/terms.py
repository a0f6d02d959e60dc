"""The registry's vocabularies (domain.md §2). Values are the Chinese terms used in files and on pages.

Plain Python (no Django): the rules and their engines judge records in these terms; the registry's models
take `choices=X.choices` from them (`registry.enums` is this module under the registry's name)."""

from __future__ import annotations

from jingzhun.lib.choices import TextChoices


class IdentificationStandard(TextChoices):  # 识别标准
    NATIONAL = "国家标准"
    PROVINCIAL = "省定标准"
    CITY = "市定标准"


class HouseholdAttribute(TextChoices):  # 贫困户属性
    GENERAL = "一般贫困户"
    DIBAO = "低保贫困户"
    TEKUN = "特困供养贫困户"


HOUSEHOLD_ATTRIBUTE_ALIASES = {
    "五保贫困户": HouseholdAttribute.TEKUN.value,
    "五保户": HouseholdAttribute.TEKUN.value,
}


class PovertyCause(TextChoices):  # 致贫原因
    ILLNESS = "因病"
    DISABILITY = "因残"
    SCHOOLING = "因学"
    DISASTER = "因灾"
    LACK_LAND = "缺土地"
    LACK_WATER = "缺水"
    LACK_SKILLS = "缺技术"
    LACK_LABOUR = "缺劳力"
    LACK_FUNDS = "缺资金"
    POOR_TRANSPORT = "交通条件落后"
    LACK_MOTIVATION = "自身发展动力不足"
    OTHER = "其他"


class ExitStatus(TextChoices):  # 脱贫状态
    NOT_EXITED = "未脱贫"
    EXITED = "已脱贫"
    RETURNED = "返贫"


# National codes 0/1/3 (and 4 = 已脱贫(不再享受政策), imported as 已脱贫 with a flag).
EXIT_STATUS_CODES = {
    "0": ExitStatus.NOT_EXITED.value,
    "1": ExitStatus.EXITED.value,
    "3": ExitStatus.RETURNED.value,
}
EXIT_STATUS_NO_LONGER_ENJOYING = {"4", "已脱贫(不再享受政策)", "已脱贫（不再享受政策）"}


class Relation(TextChoices):  # 与户主关系
    HEAD = "户主"
    SPOUSE = "配偶"
    SON = "之子"
    DAUGHTER = "之女"
    DAUGHTER_IN_LAW = "之儿媳"
    SON_IN_LAW = "之女婿"
    GRANDSON = "之孙子"
    GRANDDAUGHTER = "之孙女"
    DAUGHTERS_SON = "之外孙子"
    DAUGHTERS_DAUGHTER = "之外孙女"
    FATHER = "之父"
    MOTHER = "之母"
    WIFES_FATHER = "之岳父"
    WIFES_MOTHER = "之岳母"
    HUSBANDS_FATHER = "之公公"
    HUSBANDS_MOTHER = "之婆婆"
    GRANDFATHER = "之祖父"
    GRANDMOTHER = "之祖母"
    MATERNAL_GRANDFATHER = "之外祖父"
    MATERNAL_GRANDMOTHER = "之外祖母"
    SIBLING = "之兄弟姐妹"
    OTHER = "其他"


class Gender(TextChoices):  # 性别
    MALE = "男"
    FEMALE = "女"


class Education(TextChoices):  # 文化程度 (ordered low → high)
    PRESCHOOL_CHILD = "学龄前儿童"
    ILLITERATE = "文盲或半文盲"
    PRIMARY = "小学"
    JUNIOR = "初中"
    SENIOR = "高中(含中专)"
    COLLEGE = "大专及以上"


EDUCATION_ALIASES = {"高中（含中专）": Education.SENIOR.value, "高中": Education.SENIOR.value}
EDUCATION_RANK = {value: rank for rank, value in enumerate(Education.values)}


class SchoolStatus(TextChoices):  # 在校生状况
    NOT_IN_SCHOOL = "非在校生"
    PRESCHOOL = "学前教育"
    PRIMARY = "小学"
    JUNIOR = "初中"
    SENIOR = "高中"
    VOCATIONAL_SECONDARY = "中职"
    VOCATIONAL_COLLEGE = "高职高专"
    UNIVERSITY = "本科及以上"


class NotInSchoolReason(TextChoices):  # 未上学原因
    PHYSICAL = "身体原因(送教上门)"
    OTHER = "其他"


NOT_IN_SCHOOL_REASON_ALIASES = {
    "身体原因（送教上门）": NotInSchoolReason.PHYSICAL.value,
    "身体原因": NotInSchoolReason.PHYSICAL.value,
}


class Health(TextChoices):  # 健康状况
    HEALTHY = "健康"
    CHRONIC = "长期慢性病"
    SERIOUS = "患有大病"
    DISABLED = "残疾"


class LabourSkill(TextChoices):  # 劳动技能
    ORDINARY = "普通劳动力"
    SKILLED = "技能劳动力"
    WEAK = "弱劳动力或半劳动力"
    LOST = "丧失劳动力"
    NONE = "无劳动力"


class HousingSafety(TextChoices):  # 住房安全等级 (C/D = 危房; empty = never appraised)
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class Relocation(TextChoices):  # 易地扶贫搬迁
    NO = "否"
    PLANNED = "计划搬迁"
    MOVED_IN = "已搬迁入住"


class RegistryStatus(TextChoices):  # 在册状态: whether the household is still on the register
    ACTIVE = "在册"
    PURGED = "已清退"  # 清退 (错评, wrongly included)
    CANCELLED = "已注销"  # 注销


class EventKind(TextChoices):  # 动态调整事件
    IDENTIFIED = "新识别"
    MARKED_EXITED = "标注脱贫"
    RETURNED = "返贫"
    NATURAL_INCREASE = "自然增加"
    NATURAL_DECREASE = "自然减少"
    SPLIT = "拆户"
    MERGE = "并户"
    PURGE = "清退"
    CANCEL = "注销"


class IncreaseReason(TextChoices):  # 自然增加原因
    BIRTH = "出生"
    MARRIED_IN = "婚入"
    MOVED_IN = "迁入"


class DecreaseReason(TextChoices):  # 自然减少原因
    DEATH = "死亡"
    MARRIED_OUT = "婚出"
    MOVED_OUT = "迁出"
    IMPRISONED = "判刑收监"


class IdentificationStep(TextChoices):  # 识别程序 "两评议两公示一比对一公告"
    APPLICATION = "农户申请"
    GROUP_REVIEW = "村民小组评议"
    DATA_COMPARISON = "部门信息比对"
    REPRESENTATIVES_REVIEW = "村民代表大会评议"
    VILLAGE_NOTICE = "村公示"
    TOWNSHIP_AUDIT = "乡镇审核"
    COUNTY_APPROVAL = "县审定"
    ANNOUNCEMENT = "公告"
    ENTRY = "录入"
    # Exit procedure "一评议一公示一公告" (domain.md §2): 村两委评议 + 驻村工作队核实 + 户确认 → 公示 → 公告.
    EXIT_REVIEW = "退出评议"
    EXIT_NOTICE = "退出公示"
    EXIT_ANNOUNCEMENT = "退出公告"


# Steps whose record carries the last day of the notice period (公示截止日期).
NOTICE_STEPS = frozenset({IdentificationStep.VILLAGE_NOTICE.value, IdentificationStep.EXIT_NOTICE.value})


ETHNIC_GROUPS = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
]
