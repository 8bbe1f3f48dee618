"""Demo database: realistic Chinese customers, volumes and one user of every role."""

from __future__ import annotations

import operator
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from app import demo_bulk
from app.clock import Clock
from app.domain import reference_code
from app.domain.roles import ApproverTitle, Role
from app.services import users
from app.services.auth import SignedIn, sign_out
from app.services.catalogue import PATTERN_SETTING
from app.services.customers import NUMBER_SETTING
from app.services.setup import SetupRequest, initialize_database
from app.storage.location import DatabaseLocation

T = TypeVar("T")
DEMO_PASSWORD = "Demo#2026pass"
SIZES = {"small": 200, "large": 1_000_000}


@dataclass(frozen=True)
class DemoAccount:
    """A demo sign-in."""

    username: str
    display_name: str
    roles: tuple[Role, ...]
    title: ApproverTitle | None = None


DEMO_ADMIN = DemoAccount("admin", "王建国", (Role.ADMIN,))
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DEMO_ADMIN,
    DemoAccount("archivist", "李秀英", (Role.ARCHIVIST,)),
    DemoAccount("archivist2", "赵磊", (Role.ARCHIVIST,)),
    DemoAccount("depthead", "陈志强", (Role.APPROVER,), ApproverTitle.DEPT_HEAD),
    DemoAccount("csmanager", "刘芳", (Role.APPROVER,), ApproverTitle.CS_MANAGER),
    DemoAccount("infoofficer", "杨静", (Role.APPROVER, Role.ARCHIVIST), ApproverTitle.INFO_OFFICER),
    DemoAccount("gm", "黄伟民", (Role.APPROVER,), ApproverTitle.GENERAL_MANAGER),
    DemoAccount("supervisor", "吴建华", (Role.APPROVER,), ApproverTitle.SUPERVISOR),
    DemoAccount("auditor", "周敏", (Role.AUDITOR,)),
)
# Departments of the demo staff (the loan desk tells a borrower's department head of overdue).
DEMO_DEPARTMENTS = {
    "archivist": "档案室",
    "archivist2": "档案室",
    "depthead": "销售部",
    "csmanager": "客服部",
    "infoofficer": "客服部",
    "gm": "总经理办公室",
    "supervisor": "监事会",
}

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


Progress = Callable[[int, int], None]


def build_demo(
    *,
    location: DatabaseLocation,
    clock: Clock,
    size: str = "small",
    progress: Progress | None = None,
    catalogue: bool = True,
) -> list[DemoAccount]:
    """Create a demo database at ``location``; return the sign-ins (password DEMO_PASSWORD)."""
    count = SIZES[size]
    result = initialize_database(
        location=location,
        request=SetupRequest(
            organisation_name="华东示范贸易有限公司",
            fonds_name="华东示范贸易有限公司客户档案",
            fonds_code="Z001",
            admin_username=DEMO_ADMIN.username,
            admin_display_name=DEMO_ADMIN.display_name,
            admin_password=DEMO_PASSWORD,
            admin_password_confirm=DEMO_PASSWORD,
        ),
        clock=clock,
    )
    session = result.session
    try:
        for account in DEMO_ACCOUNTS[1:]:
            users.create_user(
                session=session,
                username=account.username,
                display_name=account.display_name,
                roles=account.roles,
                approver_title=account.title,
                password=DEMO_PASSWORD,
                require_change=False,
                clock=clock,
            )
        from app.services.loans import set_staff_department

        for row in users.list_users(session=session, clock=clock):
            if row.username in DEMO_DEPARTMENTS:
                set_staff_department(
                    session=session,
                    user_id=row.id,
                    department=DEMO_DEPARTMENTS[row.username],
                    clock=clock,
                )
        _insert_customers(session, clock, count, progress, catalogue)  # with search indexes
    finally:
        sign_out(session=session, clock=clock, reason="demo built")
    if catalogue and size == "small":
        shelve_demo(location, clock)
    return list(DEMO_ACCOUNTS)


def shelve_demo(location: DatabaseLocation, clock: Clock, per_box: int = 5) -> None:
    """Shelve the small demo as an archivist would (R21, R22).

    A 密集架 of 4 列 × A/B × 5 节 × 6 层 and a 保险柜; five volumes a box, the 机密/绝密
    volumes in boxes of their own in the safe.
    """
    from sqlalchemy import select

    from app.domain.catalogue import MARKED_LEVELS
    from app.services import locations as places
    from app.services.auth import sign_in
    from app.storage.models import StorageLocation, Volume

    keeper = sign_in(location=location, username="archivist", password=DEMO_PASSWORD, clock=clock)
    try:
        places.create_location_batch(
            session=keeper,
            spec=places.BatchSpec(
                room="K1", room_name="一号库房", columns="1-4", sections="1-5", layers="1-6"
            ),
            clock=clock,
        )
        places.create_location_batch(
            session=keeper,
            spec=places.BatchSpec(
                room="K1",
                unit="cabinet",
                cabinets="1",
                sections="1",
                layers="1-4",
                capacity=4,
                secure=True,
                custodian_id=keeper.actor.user_id,
            ),
            clock=clock,
        )
        marked = {level.value for level in MARKED_LEVELS}
        with keeper.uow(clock) as uow:
            rows = list(
                uow.session.execute(
                    select(Volume.id, Volume.secrecy_level, Volume.year, Volume.retention).order_by(
                        Volume.reference_code
                    )
                )
            )
        for secure in (False, True):
            # a box holds volumes of one year and retention, in 档号 order (DA/T 22-2015)
            runs: dict[tuple[int, str], list[int]] = {}
            for vid, level, year, retention in rows:
                if (level in marked) == secure:
                    runs.setdefault((year, retention), []).append(vid)
            box_ids = []
            requests = []
            for (year, retention), volumes in sorted(runs.items()):
                for start in range(0, len(volumes), per_box):
                    box = places.create_box(
                        session=keeper,
                        draft=places.BoxDraft(year=year, retention=retention),
                        clock=clock,
                    )
                    box_ids.append(box.id)
                    requests += [
                        places.MoveRequest(places.Target.VOLUME, vid, to_box_id=box.id)
                        for vid in volumes[start : start + per_box]
                    ]
            if not requests:
                continue
            places.bulk_move(
                session=keeper, requests=requests, reason=places.MoveReason.SHELVE, clock=clock
            )
            target = "K1-G1" if secure else "K1-01-A"
            with keeper.uow(clock) as uow:
                target_id = uow.session.scalar(
                    select(StorageLocation.id).where(StorageLocation.code == target)
                )
            assert target_id is not None
            shelf_moves = places.spread_over(
                session=keeper, box_ids=box_ids, target_id=target_id, clock=clock
            )
            places.bulk_move(
                session=keeper, requests=shelf_moves, reason=places.MoveReason.SHELVE, clock=clock
            )
    finally:
        sign_out(session=keeper, clock=clock, reason="demo shelved")


def _insert_customers(
    session: SignedIn, clock: Clock, count: int, progress: Progress | None, catalogue: bool
) -> None:
    """Bulk-load ``count`` generated customers, then record the load in the audit trail."""
    last = demo_bulk.load_customers(
        session.store, clock.now(), count, progress, catalogue=catalogue
    )
    with session.uow(clock) as uow:
        uow.settings.put(NUMBER_SETTING, last)
        if demo_bulk.pattern_for(count) != reference_code.DEFAULT_PATTERN:
            uow.settings.put(PATTERN_SETTING, demo_bulk.pattern_for(count))
        uow.audit.record(
            "demo.generate",
            object_type="customer",
            details={"customers": last, "volumes": last},
        )
        uow.commit()
