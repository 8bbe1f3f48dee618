# ruff: noqa: E501  (Chinese word lists: wide characters count double)
"""Generated demo customers: realistic Chinese names, valid ID numbers and credit codes, phones.

Plain values only (no database): :mod:`app.demo_bulk` protects and writes them, :mod:`app.demo`
builds the demo database around them.
"""

from __future__ import annotations

import operator
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

T = TypeVar("T")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
COMPOUND_SURNAMES = ["欧阳", "司马", "诸葛", "上官", "东方"]
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强海燕红梅玉兰子涵浩然欣怡雨轩梓萱宇轩思远嘉怡晨曦俊杰婉婷文博佳琪一鸣"
# (code, place) pairs from GB/T 2260 that exist today.
REGIONS = [
    ("110101", "北京市东城区"),
    ("110105", "北京市朝阳区"),
    ("310101", "上海市黄浦区"),
    ("310104", "上海市徐汇区"),
    ("320102", "南京市玄武区"),
    ("330106", "杭州市西湖区"),
    ("440106", "广州市天河区"),
    ("440305", "深圳市南山区"),
    ("510104", "成都市锦江区"),
    ("420106", "武汉市武昌区"),
    ("610113", "西安市雁塔区"),
    ("370202", "青岛市市南区"),
    ("500103", "重庆市渝中区"),
    ("120101", "天津市和平区"),
    ("210102", "沈阳市和平区"),
]
COMPANY_WORDS = [
    "华信",
    "恒通",
    "鼎盛",
    "金桥",
    "宏达",
    "瑞丰",
    "中联",
    "天元",
    "新锐",
    "博远",
    "嘉禾",
    "盛世",
]
COMPANY_KINDS = [
    ("general", "dealer", "商贸有限公司"),
    ("special", "lawyer", "律师事务所"),
    ("special", "financial_adviser", "财务咨询有限公司"),
    ("special", "advertising", "广告传媒有限公司"),
    ("special", "public_relations", "公关顾问有限公司"),
    ("special", "bank", "银行股份有限公司支行"),
    ("special", "insurance", "保险代理有限公司"),
]
MOBILE_PREFIXES = [
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "182",
    "183",
    "187",
    "188",
    "130",
    "131",
    "132",
    "155",
    "156",
    "185",
    "186",
    "133",
    "153",
    "180",
    "181",
    "189",
    "177",
    "199",
]
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check_char(first17: str) -> str:
    """GB 11643-1999 check character (ISO 7064 MOD 11-2)."""
    total = sum(map(operator.mul, map(int, first17), ID_WEIGHTS))
    return "10X98765432"[total % 11]


def make_id_number(rng: random.Random, region: str, birth: date, female: bool) -> str:
    """Return a valid 18-digit resident ID (sequence code odd for men, even for women)."""
    seq = int(rng.random() * 500) * 2 + (0 if female else 1)
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def _org_code(rng: random.Random) -> str:
    # GB 11714 organisation code: 8 characters and a check character.
    body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in body]
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    check = 11 - sum(v * w for v, w in zip(values, weights, strict=True)) % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def make_uscc(rng: random.Random, region: str) -> str:
    """Return a valid GB 32100-2015 unified social credit code (registered by 工商, 企业)."""
    first17 = "91" + region + _org_code(rng)
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return first17 + USCC_ALPHABET[(31 - total % 31) % 31]


@dataclass(frozen=True)
class DemoCustomer:
    """One generated customer (plain values, before encryption)."""

    party: str
    kind: str
    category: str
    status: str
    importance: str
    name: str
    id_type: str
    id_number: str
    phone: str


def _pick(rnd: Callable[[], float], items: Sequence[T]) -> T:
    """``rng.choice`` from one ``random()`` draw (several times faster; fine for demo data)."""
    return items[int(rnd() * len(items))]


def generate_customers(count: int, seed: int = 2026) -> Iterator[DemoCustomer]:
    """Yield ``count`` customers with unique, valid ID numbers and phones."""
    rng = random.Random(seed)
    rnd = rng.random
    seen_ids: set[str] = set()
    first_day = date(1950, 1, 1).toordinal()
    for i in range(count):
        r = rnd()
        status = "registered" if r < 0.7 else "potential" if r < 0.9 else "lost"
        importance = "important" if rnd() < 0.25 else "normal"
        region, place = _pick(rnd, REGIONS)
        phone = f"+86{_pick(rnd, MOBILE_PREFIXES)}{int(rnd() * 10**8):08d}"
        if i % 5 == 4:
            kind, category, suffix = _pick(rnd, COMPANY_KINDS)
            city = place[:2]
            name = f"{city}{_pick(rnd, COMPANY_WORDS)}{_pick(rnd, COMPANY_WORDS)}{suffix}"
            uscc = make_uscc(rng, region)
            while uscc in seen_ids:
                uscc = make_uscc(rng, region)
            seen_ids.add(uscc)
            yield DemoCustomer("org", kind, category, status, importance, name, "uscc", uscc, phone)
            continue
        surname = _pick(rnd, COMPOUND_SURNAMES) if rnd() < 0.02 else _pick(rnd, SURNAMES)
        given = "".join(_pick(rnd, GIVEN) for _ in range(1 if rnd() < 1 / 3 else 2))
        birth = date.fromordinal(first_day + int(rnd() * 365 * 55))
        female = rnd() < 0.5
        number = make_id_number(rng, region, birth, female)
        while number in seen_ids:
            number = make_id_number(rng, region, birth, female)
        seen_ids.add(number)
        yield DemoCustomer(
            "person",
            "general",
            "个人",
            status,
            importance,
            surname + given,
            "resident_id",
            number,
            phone,
        )
