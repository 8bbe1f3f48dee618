"""Customer vocabulary (R1) and information classes (R7, seed 004)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Party(StrEnum):
    """Natural person or organisation."""

    PERSON = "person"
    ORG = "org"


class Kind(StrEnum):
    """一般客户 or 特殊客户."""

    GENERAL = "general"
    SPECIAL = "special"


class Category(StrEnum):
    """Sub-kind: 经销单位/个人 for general customers, the profession for special ones."""

    DEALER = "dealer"  # 经销单位
    INDIVIDUAL = "individual"  # 个人
    LAWYER = "lawyer"  # 律师
    FINANCIAL_ADVISER = "financial_adviser"  # 财务顾问
    ADVERTISING = "advertising"  # 广告
    PUBLIC_RELATIONS = "public_relations"  # 公关
    BANK = "bank"  # 银行
    INSURANCE = "insurance"  # 保险
    OTHER = "other"  # 其他


GENERAL_CATEGORIES = frozenset({Category.DEALER, Category.INDIVIDUAL})


class Status(StrEnum):
    """潜在/在册/流失."""

    POTENTIAL = "potential"
    REGISTERED = "registered"
    LOST = "lost"


class Importance(StrEnum):
    """重要/一般."""

    IMPORTANT = "important"
    NORMAL = "normal"


class IdType(StrEnum):
    """Identity documents accepted (R1)."""

    RESIDENT_ID = "resident_id"  # 居民身份证
    PASSPORT = "passport"  # 护照
    HK_MACAO_PERMIT = "hk_macao_permit"  # 港澳居民来往内地通行证
    TAIWAN_PERMIT = "taiwan_permit"  # 台湾居民来往大陆通行证
    USCC = "uscc"  # 统一社会信用代码 (organisations)


class InfoClass(StrEnum):
    """基础/业务/敏感 (seed 004): decides who sees a field and whether it is masked."""

    BASIC = "basic"
    BUSINESS = "business"
    SENSITIVE = "sensitive"


FIELD_CLASSES: dict[str, InfoClass] = {
    "number": InfoClass.BASIC,
    "name": InfoClass.BASIC,
    "party": InfoClass.BASIC,
    "kind": InfoClass.BASIC,
    "category": InfoClass.BASIC,
    "status": InfoClass.BASIC,
    "importance": InfoClass.BASIC,
    "responsible": InfoClass.BASIC,
    "index_remarks": InfoClass.BASIC,
    "consent": InfoClass.BUSINESS,
    "remarks": InfoClass.BUSINESS,
    "addresses": InfoClass.BUSINESS,
    "email": InfoClass.BUSINESS,
    "gender": InfoClass.SENSITIVE,
    "birth_date": InfoClass.SENSITIVE,
    "id_number": InfoClass.SENSITIVE,
    "phones": InfoClass.SENSITIVE,
    "bank_accounts": InfoClass.SENSITIVE,
}


@dataclass(frozen=True)
class ClassRule:
    """What a class decides (R7): its label, who may see it in full, what leaves the app."""

    label: str
    reveal: str  # the permission that shows its values in full (with a purpose, R40)
    in_report: bool  # a customer's own report lists it (in full only for ``reveal`` holders)
    in_export: bool  # a customer list export carries it (masked unless exported in full)


# The one table of the classes (seed 004: 基础/业务/敏感). Every personal value is masked on
# screen until revealed (R5); a reveal opens the classes whose permission the reader holds
# and leaves the others masked (PIPL's minimum necessary): 敏感 only for the posts that need it.
CLASS_RULES: dict[InfoClass, ClassRule] = {
    InfoClass.BASIC: ClassRule("基础信息", "customer.reveal", in_report=True, in_export=True),
    InfoClass.BUSINESS: ClassRule("业务信息", "customer.reveal", in_report=True, in_export=False),
    InfoClass.SENSITIVE: ClassRule(
        "敏感信息", "customer.reveal_sensitive", in_report=True, in_export=True
    ),
}


def class_fields(info_class: InfoClass) -> tuple[str, ...]:
    """The fields of ``info_class`` in :data:`FIELD_CLASSES` order."""
    return tuple(f for f, c in FIELD_CLASSES.items() if c == info_class)


LABELS: dict[StrEnum, str] = {
    Party.PERSON: "个人",
    Party.ORG: "单位",
    Kind.GENERAL: "一般客户",
    Kind.SPECIAL: "特殊客户",
    Category.DEALER: "经销单位",
    Category.INDIVIDUAL: "个人",
    Category.LAWYER: "律师",
    Category.FINANCIAL_ADVISER: "财务顾问",
    Category.ADVERTISING: "广告",
    Category.PUBLIC_RELATIONS: "公关",
    Category.BANK: "银行",
    Category.INSURANCE: "保险",
    Category.OTHER: "其他",
    Status.POTENTIAL: "潜在",
    Status.REGISTERED: "在册",
    Status.LOST: "流失",
    Importance.IMPORTANT: "重要",
    Importance.NORMAL: "一般",
    IdType.RESIDENT_ID: "居民身份证",
    IdType.PASSPORT: "护照",
    IdType.HK_MACAO_PERMIT: "港澳居民来往内地通行证",
    IdType.TAIWAN_PERMIT: "台湾居民来往大陆通行证",
    IdType.USCC: "统一社会信用代码",
}
