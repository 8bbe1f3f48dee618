"""Lines under (or inside) a ledger's table that are not data: totals, sign-offs, headers again.

A ledger kept for years ends with ``合计 1,234 户``, ``共 56 户``, ``制表人：张三　制表日期：…``
and often has ``小计`` lines between groups and the header repeated where a printed page
began. Such a row is skipped (never imported, never rejected) and listed with its row number
and why, so the counts add up: rows read = imported + rejected + skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from app.imports import cells
from app.imports.layout import Header, header_key
from app.imports.sheet import Row, Sheet, last_filled

# the first filled cell of a total line: 合计 / 总计 / 小计 / 累计 / 本页合计 …
_TOTAL = re.compile(
    r"^(?:本页|本月|本年|全部)?(?:合计|总计|小计|累计|共计)(?:$|[^\u4e00-\u9fff]|[户人名条卷件份项数])"
)
# 共 56 户 / 共计：56人 / 总计 1,234 条 (anywhere the row has little else)
_COUNT = re.compile(r"^(?:共|共计|合计|总计)[:：]?[\d,，]+(?:户|人|名|位|条|行|卷|件|份|项|家|个)")
# sign-off and notes lines: 制表人：… / 制表日期：… / 审核人：… / 注：…
_SIGN_OFF = re.compile(
    r"^(?:制表人|制表日期|制表时间|制表单位|制表|填表人|填表日期|填报人|填报日期|审核人|审核|"
    r"复核人|复核|负责人|经办人|统计人|统计日期|打印人|打印日期|打印时间|截至日期|截止日期|"
    r"单位盖章|盖章|签字|说明|注|备注说明)[:：]"
)
SKIP_REASONS = ("total", "sign_off", "header_again")


@dataclass(frozen=True)
class Skipped:
    """A row read but not data: its sheet row number and why (one of SKIP_REASONS)."""

    row: int
    reason: str


def skip_reason(row: Row, header: Header) -> str | None:
    """Why this row is not data (``total``, ``sign_off``, ``header_again``), or None."""
    texts = [cells.text(v) for v in row]
    filled = [t for t in texts if t]
    if not filled:
        return None
    first = "".join(filled[0].split())
    leading = [f for f in filled[:2] if not f.replace(".", "").isdigit()][:1]
    if leading and _TOTAL.match("".join(leading[0].split())):
        return "total"  # 合计 … (or 12 小计 …: a 序号 before it)
    few = len(filled) <= max(3, len([n for n in header.names if n]) // 2)
    if few and any(_COUNT.match("".join(t.split())) for t in filled):
        return "total"
    if few and _SIGN_OFF.match(first):
        return "sign_off"
    names = [header_key(n.split("/")[-1]) for n in header.names]
    keys = [header_key(t) for t in texts]
    same = sum(1 for i, k in enumerate(keys) if k and i < len(names) and k == names[i])
    if len(filled) >= 2 and same * 3 >= len(filled) * 2:
        return "header_again"
    return None


def split_rows(sheet: Sheet, header: Header) -> tuple[list[tuple[int, Row]], list[Skipped]]:
    """The data rows below ``header`` (blank rows left out) and the rows skipped, in order."""
    data: list[tuple[int, Row]] = []
    skipped: list[Skipped] = []
    for number, row in _filled(sheet, header.data_start):
        reason = skip_reason(row, header)
        if reason is None:
            data.append((number, row))
        else:
            skipped.append(Skipped(number, reason))
    return data, skipped


def _filled(sheet: Sheet, start: int) -> Iterator[tuple[int, Row]]:
    for i in range(start, len(sheet.rows)):
        row = sheet.rows[i]
        if last_filled(row):
            yield sheet.first_row + i, row
