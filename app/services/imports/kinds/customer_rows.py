"""Customer ledger rows: the columns a customer ledger has, their words, row → form draft.

The draft then goes through the customer form's own checks (``services.customers``), so an
imported customer obeys exactly the rules of one registered by hand.
"""

from __future__ import annotations

from app.domain import identity
from app.domain import privacy as privacy_rules
from app.domain.customers import GENERAL_CATEGORIES, LABELS, Category, IdType, Kind, Party, Status
from app.errors import FieldError
from app.imports import cells
from app.imports.layout import FieldSpec
from app.services.customers import AddressInput, BankAccountInput, CustomerDraft, PhoneInput
from app.services.imports.kinds.base import ParsedRow
from app.services.imports.kinds.parsing import cell_date, fold_table, pick_choice, split_numbers


def looks_like_org(name: str, id_text: str) -> bool:
    """True when a name or an ID number says the customer is an organisation (单位)."""
    compact = identity.compact(id_text).upper()
    # a credit code has letters where an ID number has digits; a person's number with a
    # letter typed by mistake (I for 1, O for 0) stays a person's (and is refused as such)
    if (
        len(compact) == 18
        and not compact[:17].isdigit()
        and (identity.is_valid_uscc(compact) or not identity.looks_like_resident_id(compact))
    ):
        return True
    return any(marker in name for marker in ORG_MARKERS)


PARTIES = fold_table(
    {
        Party.PERSON: ("个人", "自然人", "person"),
        Party.ORG: ("单位", "企业", "公司", "组织", "法人", "机构", "org"),
    }
)
KINDS_OF_CUSTOMER = fold_table(
    {Kind.GENERAL: ("一般客户", "一般", "general"), Kind.SPECIAL: ("特殊客户", "特殊", "special")}
)
CATEGORIES = fold_table(
    {
        **{c.value: (LABELS[c], c.value) for c in Category},
        Category.DEALER: ("经销单位", "经销商", "经销", "dealer"),
        Category.LAWYER: ("律师", "律师事务所", "律所", "lawyer"),
    }
)
STATUSES = fold_table(
    {
        Status.POTENTIAL: ("潜在", "潜在客户", "potential"),
        Status.REGISTERED: ("在册", "正式", "在册客户", "有效", "registered"),
        Status.LOST: ("流失", "已流失", "lost"),
    }
)
IMPORTANCE = fold_table(
    {
        "important": ("重要", "重点", "是", "important", "★", "★★", "★★★", "A", "重要客户"),
        "normal": ("一般", "普通", "否", "normal", "☆", "B", "C", "D"),
    }
)
GENDERS = fold_table({"male": ("男", "男性", "m", "male"), "female": ("女", "女性", "f", "female")})
ID_TYPES = fold_table(
    {
        IdType.RESIDENT_ID: ("居民身份证", "身份证", "二代身份证"),
        IdType.PASSPORT: ("护照",),
        IdType.HK_MACAO_PERMIT: ("港澳居民来往内地通行证", "港澳通行证", "回乡证"),
        IdType.TAIWAN_PERMIT: ("台湾居民来往大陆通行证", "台胞证", "台湾通行证"),
        IdType.USCC: ("统一社会信用代码", "信用代码", "营业执照"),
    }
)
ORG_MARKERS = ("公司", "有限", "集团", "厂", "事务所", "银行", "中心", "合作社", "商行", "经营部")


def _looks_like_id(text: str) -> bool:
    """An ID number or credit code shape: 15 or 18 characters, mostly digits."""
    compact = identity.compact(text)
    return len(compact) in (15, 18) and sum(ch.isdigit() for ch in compact) >= 12


def _looks_like_phone(text: str) -> bool:
    """A phone shape: 7 to 20 digits among separators (several numbers in one cell too)."""
    digits = sum(ch.isdigit() for ch in text)
    return 7 <= digits <= 40 and digits * 2 >= len(identity.compact(text))


CUSTOMER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "name",
        "客户名称",
        ("客户名称", "姓名", "名称", "客户姓名", "单位名称", "户名"),
        required=True,
    ),
    FieldSpec(
        "party",
        "客户性质（个人/单位）",
        ("客户性质", "个人/单位", "主体类型", "性质"),
        values=frozenset(PARTIES),
    ),
    FieldSpec("kind", "客户类型", ("客户类型", "类型"), values=frozenset(KINDS_OF_CUSTOMER)),
    FieldSpec("category", "客户类别", ("客户类别", "类别", "行业"), values=frozenset(CATEGORIES)),
    FieldSpec("status", "状态", ("状态", "客户状态"), values=frozenset(STATUSES)),
    FieldSpec(
        "importance",
        "重要程度",
        ("重要程度", "重要性", "是否重要", "星级", "等级"),
        values=frozenset(IMPORTANCE),
    ),
    FieldSpec("id_type", "证件类型", ("证件类型", "证件种类"), values=frozenset(ID_TYPES)),
    FieldSpec(
        "id_number",
        "证件号码",
        ("身份证号", "证件号码", "身份证号码", "证件号", "统一社会信用代码", "信用代码", "身份证"),
        looks=_looks_like_id,
    ),
    FieldSpec("gender", "性别", ("性别",), values=frozenset(GENDERS)),
    FieldSpec("birth_date", "出生日期", ("出生日期", "出生年月日", "生日")),
    FieldSpec(
        "phone",
        "联系电话",
        ("联系电话", "手机", "手机号", "手机号码", "电话", "移动电话"),
        looks=_looks_like_phone,
    ),
    FieldSpec("phone2", "其他电话", ("固定电话", "座机", "办公电话", "其他电话", "电话2")),
    FieldSpec("address", "地址", ("地址", "联系地址", "通讯地址", "住址", "家庭住址", "单位地址")),
    FieldSpec("bank_account", "银行账号", ("银行账号", "账号", "银行卡号", "卡号", "银行账户")),
    FieldSpec("bank_name", "开户银行", ("开户银行", "开户行", "开户行名称")),
    FieldSpec("email", "电子邮箱", ("电子邮箱", "邮箱", "电子邮件", "email")),
    FieldSpec("consent_date", "同意日期", ("同意日期", "授权日期", "签署同意日期")),
    FieldSpec("consent_purpose", "同意用途", ("同意用途", "授权用途", "使用目的")),
    FieldSpec("remarks", "备注", ("备注", "说明")),
    FieldSpec("location", "存放位置（暂不导入）", ("存放位置", "存放地点", "库位"), imported=False),
)


# the enums' values as plain strings (an enum member's ``.value`` is a descriptor call, and
# a 100,000-row ledger reads them a million times)
_ORG, _PERSON = Party.ORG.value, Party.PERSON.value
_SPECIAL, _GENERAL = Kind.SPECIAL.value, Kind.GENERAL.value
_OTHER, _DEALER = Category.OTHER.value, Category.DEALER.value
_INDIVIDUAL = Category.INDIVIDUAL.value
_USCC, _RESIDENT_ID = IdType.USCC.value, IdType.RESIDENT_ID.value
_REGISTERED, _POTENTIAL = Status.REGISTERED.value, Status.POTENTIAL.value


DATED_PURPOSES = "、".join((privacy_rules.CONTRACT, privacy_rules.SERVICE))


def customer_draft(row: ParsedRow) -> tuple[CustomerDraft, list[FieldError]]:
    """A form draft from a ledger row, with what could not be read; defaults as the form's."""
    errors: list[FieldError] = []
    texts = {k: cells.text(v) for k, v in row.values.items()}
    get = texts.get
    name = get("name", "")
    id_text = get("id_number", "")
    party = pick_choice(texts, "party", PARTIES, errors) or (
        _ORG if looks_like_org(name, id_text) else _PERSON
    )
    category = pick_choice(texts, "category", CATEGORIES, errors)
    kind = pick_choice(texts, "kind", KINDS_OF_CUSTOMER, errors)
    if kind is None:
        special = category is not None and category not in GENERAL_CATEGORIES
        kind = _SPECIAL if special else _GENERAL
    if category is None:
        if kind == Kind.SPECIAL:
            category = _OTHER
        else:
            person = party == _PERSON
            category = _INDIVIDUAL if person else _DEALER
    id_type = pick_choice(texts, "id_type", ID_TYPES, errors)
    if id_type is None and id_text:
        id_type = _USCC if party == _ORG else _RESIDENT_ID
    status = pick_choice(texts, "status", STATUSES, errors) or (
        _REGISTERED if id_text else _POTENTIAL
    )
    phones = [
        PhoneInput(n, "手机" if i == 0 and key == "phone" else "")
        for key in ("phone", "phone2")
        for i, n in enumerate(split_numbers(get(key, "")))
    ]
    bank, address = get("bank_account", ""), get("address", "")
    draft = CustomerDraft(
        party=party,
        kind=kind,
        category=category,
        name=name,
        status=status,
        importance=pick_choice(texts, "importance", IMPORTANCE, errors, "normal") or "normal",
        gender=pick_choice(texts, "gender", GENDERS, errors),
        birth_date=cell_date(row, "birth_date", errors),
        id_type=id_type,
        id_number=id_text,
        phones=tuple(phones),
        addresses=(AddressInput(address),) if address else (),
        bank_accounts=(BankAccountInput(bank, get("bank_name", "")),) if bank else (),
        email=get("email", ""),
        consent_date=(consent_date := cell_date(row, "consent_date", errors)),
        # a dated consent without a 同意用途 column or cell: the purposes an imported consent
        # covers (合同履行、客户服务, README "Data protection"), as the consent row records them
        consent_purpose=get("consent_purpose", "") or (DATED_PURPOSES if consent_date else ""),
        remarks=get("remarks", ""),
    )
    return draft, errors
