"""Messy real-style ledgers for the import tests and the import benchmark.

Built the way archive rooms keep them in Excel: a title row merged across the table, a
two-level header (联系方式 over 手机 and 固定电话), full-width digits, dates as text or Excel
serials, blank rows, trailing spaces.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from app.domain.identity import id_check_character

REGIONS = ("110105", "310104", "440106", "330106", "510107")


def resident_id(n: int, *, birth: date | None = None, female: bool = False) -> str:
    """A valid GB 11643 number (checksum computed), distinct for each ``n`` (up to millions)."""
    born = birth or date(1950, 1, 1) + timedelta(days=n % 18_000)
    seq = (n // 18_000) % 500 * 2 + (0 if female else 1)
    region = REGIONS[(n // 9_000_000) % len(REGIONS)]
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + id_check_character(first17)


def with_bad_check(number: str) -> str:
    """The same number with a wrong check character."""
    right = number[-1]
    wrong = "0" if right != "0" else "1"
    return number[:-1] + wrong


def mobile(n: int) -> str:
    """A distinct valid mobile number."""
    return f"139{n:08d}"


def full_width(text: str) -> str:
    """ASCII digits and letters as full-width characters (as some input methods type them)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞辉斌宇浩凯健俊帆帅旭宁彬博文"
    "佳欣怡梓涵子轩雨萱思琪晨阳一诺梦瑶嘉诚昊然晓东建国志海春兰秋菊冬梅丹凤慧颖琳婷雪倩莉蓉"
    "德仁义礼智信忠孝廉耻和顺安康福寿荣昌盛兴旺发达永长久远宏伟光亮新天地山川河湖江波涛清"
)
SMALL_SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗"
SMALL_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
CITIES = "北京上海天津重庆杭州宁波温州南京苏州无锡广州深圳厦门福州成都武汉长沙郑州西安济南青岛"
TRADES = ("贸易", "商贸", "实业", "科技", "电子", "物流", "建材", "食品", "纺织", "机械")


def customer_name(rng: random.Random, realistic: bool) -> str:
    """A customer name: from a small pool (repeating, as in a small town's ledger), or real-sized.

    ``realistic``: about a hundred surnames, some 130 given-name characters, one or two of
    them, and one customer in seven a company (城市 + 字号 + 行业 + 有限公司): names seldom repeat,
    as in a registry of 100,000 (every name has its own pinyin and search entries).
    """
    if not realistic:
        return rng.choice(SMALL_SURNAMES) + rng.choice(SMALL_GIVEN) + rng.choice(SMALL_GIVEN)
    if rng.random() < 1 / 7:
        city = rng.randrange(0, len(CITIES), 2)
        brand = rng.choice(GIVEN) + rng.choice(GIVEN)
        return f"{CITIES[city : city + 2]}{brand}{rng.choice(TRADES)}有限公司"
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
    return rng.choice(SURNAMES) + given


def customer_rows(count: int, seed: int = 1, *, realistic: bool = False) -> list[list[object]]:
    """``count`` valid customer rows for the header of :func:`write_customer_xlsx`.

    ``realistic``: names as varied as a real registry's (:func:`customer_name`).
    """
    rng = random.Random(seed)
    rows: list[list[object]] = []
    for n in range(count):
        name = customer_name(rng, realistic)
        rows.append(
            [
                n + 1,
                name + " ",  # trailing space, as typed
                "个人",
                resident_id(n),
                mobile(n),
                "" if n % 3 else f"0571-8{n % 10000000:07d}",
                f"浙江省杭州市西湖区文三路{n % 500}号",
                "在册",
            ]
        )
    return rows


CUSTOMER_HEADER_TOP = ["序号", "客户名称", "客户性质", "身份证号", "联系方式", None, "地址", "状态"]
CUSTOMER_HEADER_SUB = [None, None, None, None, "手机", "固定电话", None, None]


def write_customer_xlsx(path: Path, rows: list[list[object]], *, title: str = "客户台账") -> Path:
    """A customer ledger: a merged title row, a two-level merged header, then ``rows``."""
    from openpyxl import Workbook

    book = Workbook(write_only=False)
    sheet = book.active
    assert sheet is not None
    sheet.title = "客户台账"
    sheet.append([f"华东示范贸易有限公司{title}（2024年）"])
    sheet.merge_cells("A1:H1")
    sheet.append(CUSTOMER_HEADER_TOP)
    sheet.append(CUSTOMER_HEADER_SUB)
    for col in "ABCDGH":
        sheet.merge_cells(f"{col}2:{col}3")
    sheet.merge_cells("E2:F2")
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_big_customer_xlsx(path: Path, count: int, *, realistic: bool = False) -> Path:
    """A large customer ledger laid out as Excel and WPS save one (``realistic``: names).

    Written directly (openpyxl's write-only mode is slow for this and leaves out what Excel
    always writes): a ``<dimension>`` at the top of the sheet, text in the shared-string
    table, numbers as numbers, the merged ranges at the end.
    """
    import zipfile
    from xml.sax.saxutils import escape

    from openpyxl.utils import get_column_letter

    strings: dict[str, int] = {}

    def cell(ref: str, value: object) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, int | float):
            return f'<c r="{ref}"><v>{value}</v></c>'
        index = strings.setdefault(str(value), len(strings))
        return f'<c r="{ref}" t="s"><v>{index}</v></c>'

    table = [["华东示范贸易有限公司客户台账"], CUSTOMER_HEADER_TOP, CUSTOMER_HEADER_SUB]
    table += customer_rows(count, realistic=realistic)
    body = []
    for r, row in enumerate(table, start=1):
        cells_xml = "".join(cell(f"{get_column_letter(c)}{r}", v) for c, v in enumerate(row, 1))
        body.append(f'<row r="{r}">{cells_xml}</row>')
    merges = ("A1:H1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "G2:G3", "H2:H3", "E2:F2")
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{main}">'
        f'<dimension ref="A1:H{len(table)}"/><sheetData>{"".join(body)}</sheetData>'
        f'<mergeCells count="{len(merges)}">'
        + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
        + "</mergeCells></worksheet>"
    )
    shared = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{main}" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        + "</sst>"
    )
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org'
            '/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            f'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="'
            f'{ct}.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
            f'{ct}.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="'
            f'{ct}.sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="客户台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": shared,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode())
    return path
