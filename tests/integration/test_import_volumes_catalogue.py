"""A 案卷目录 as archive rooms kept it: no customer column, legacy words, every column kept.

Volumes whose customer the ledger does not name (or names ambiguously) come in unlinked
(待关联), are listed with a suggestion from the title and linked in a batch; 页数, 件数,
起止日期, 立卷人 and 备注 are kept; 永/长/短 and N年 map to the legal periods with a
warning; 公开, 内部 and an empty 密级 stay distinct.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from app.clock import FixedClock
from app.errors import ValidationFailed
from app.services import catalogue, imports
from app.services.auth import SignedIn
from app.services.customers import register_customer
from app.storage.models import Volume
from tests.factories import person
from tests.import_helpers import import_file, two_namesakes
from tests.ledgers import resident_id

HEADER = ["序号", "档号", "题名", "年度", "保管期限", "密级", "页数", "件数", "起止日期"]
HEADER += ["立卷人", "备注"]


def write_catalogue(path: Path, rows: list[list[object]]) -> Path:
    """A 案卷目录 workbook: a title row merged across, the header, the rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2020年 客户档案 案卷目录"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def run(session: SignedIn, clock: FixedClock, path: Path) -> imports.ImportSummary:
    return import_file(session, clock, path, "volumes")


def volumes(session: SignedIn, clock: FixedClock) -> dict[str, Volume]:
    with session.uow(clock) as uow:
        found = uow.session.scalars(select(Volume)).all()
        uow.session.expunge_all()
        return {v.title: v for v in found}


def test_a_volume_catalogue_without_customers_imports_unlinked_with_every_column(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    zhang = register_customer(session=archivist, draft=person(name="张三丰"), clock=clock)
    li = register_customer(
        session=archivist,
        draft=person(name="李四", id_number=resident_id(7), phones=(), bank_accounts=()),
        clock=clock,
    )
    rows: list[list[object]] = [
        [
            *(1, "", "张三丰2020年度客户档案", 2020, "永", "公开", 35, 4),
            *("2020.01.02-2020.12.30", "王芳", "原件已退回 存复印件"),
        ],
        [2, "", f"{li.number} 授信资料", "2020年", "长", "内部", 12, 2, "2020-2021", "王芳", ""],
        [3, "", "无名客户往来函件", 2019, "短期", "", "8", "", "2019.03", "", ""],
        [4, "", "华东示范公司合同", 2018, "15年", "机密★长期", 20, 3, "", "", ""],
        [5, "", "某某公司档案", 2018, "D10", "非密", "", "", "2018-05-01至2018-04-01", "", ""],
    ]
    summary = run(archivist, clock, write_catalogue(tmp_path / "案卷目录.xlsx", rows))
    assert (summary.total, summary.imported, summary.rejected) == (5, 4, 1)
    errors = {o.row: {(e.field, e.reason) for e in o.errors} for o in summary.outcomes}
    assert errors[7] == {("date_range", "range_order")}  # ends before it starts
    warned = {o.row: {w.reason for w in o.warnings} for o in summary.outcomes}
    assert warned[3] == {"unlinked_none"}
    assert warned[4] == {"unlinked_none", "retention_mapped"}  # 长 → 定期30年
    assert warned[5] == {"unlinked_none", "retention_mapped"}  # 短期 → 定期10年
    assert warned[6] == {"unlinked_none", "retention_mapped", "term_mapped"}  # 15年, ★长期
    assert summary.details == {"volumes": 4, "items": 0, "unlinked": 4}

    found = volumes(archivist, clock)
    first = found["张三丰2020年度客户档案"]
    assert first.customer_id is None and first.retention == "Y"
    assert (first.page_count, first.item_count, first.compiled_by) == (35, 4, "王芳")
    assert (first.date_from, first.date_to) == (date(2020, 1, 2), date(2020, 12, 30))
    assert first.index_remarks == "原件已退回 存复印件"  # 备注 → 备注栏
    assert (first.openness, first.secrecy_level) == ("public", None)
    second = found[f"{li.number} 授信资料"]
    assert (second.retention, second.openness) == ("D30", "internal")
    assert (second.date_from, second.date_to) == (date(2020, 1, 1), date(2021, 12, 31))
    third = found["无名客户往来函件"]
    assert (third.retention, third.openness, third.secrecy_level) == ("D10", None, None)
    assert (third.date_from, third.date_to) == (date(2019, 3, 1), date(2019, 3, 31))
    shown = {v.title: v.secrecy for v in catalogue.list_volumes(session=archivist, clock=clock)}
    assert shown["张三丰2020年度客户档案"] == "公开"  # 公开 ≠ 内部 ≠ unmarked
    assert shown[f"{li.number} 授信资料"] == "内部"
    assert shown["无名客户往来函件"] == ""
    fourth = found["华东示范公司合同"]
    assert (fourth.retention, fourth.secrecy_level, fourth.secrecy_term_years) == (
        "D30",
        "confidential",
        20,  # 机密★长期: the legal default of 机密
    )
    assert fourth.openness is None and fourth.index_remarks.startswith("机密★20年")

    waiting = imports.list_unlinked_volumes(session=archivist, clock=clock)
    suggested = {v.title: v.suggestion for v in waiting}
    assert set(suggested) == {"张三丰2020年度客户档案", f"{li.number} 授信资料"} | {
        "无名客户往来函件",
        "华东示范公司合同",
    }
    by_name = suggested["张三丰2020年度客户档案"]
    by_number = suggested[f"{li.number} 授信资料"]
    assert by_name is not None and (by_name.customer_id, by_name.basis) == (
        zhang.customer_id,
        "name",
    )
    assert by_name.name != "张三丰"  # masked (R5)
    assert by_number is not None and (by_number.customer_id, by_number.basis) == (
        li.customer_id,
        "number",
    )
    assert suggested["无名客户往来函件"] is None
    assert imports.get_unlinked_count(session=archivist, clock=clock) == 4

    links = {v.id: v.suggestion.customer_id for v in waiting if v.suggestion is not None}
    assert imports.link_volumes(session=archivist, links=links, clock=clock) == 2
    assert imports.get_unlinked_count(session=archivist, clock=clock) == 2
    linked = volumes(archivist, clock)
    assert linked["张三丰2020年度客户档案"].customer_id == zhang.customer_id
    assert linked[f"{li.number} 授信资料"].customer_id == li.customer_id
    one = next(iter(links))
    with pytest.raises(ValidationFailed) as refused:
        imports.link_volumes(session=archivist, links={one: li.customer_id}, clock=clock)
    assert refused.value.errors[0].reason == "already_linked"
    last = next(v.id for v in waiting if v.title == "无名客户往来函件")
    assert (
        imports.link_volumes(session=archivist, links={last: zhang.customer_id}, clock=clock) == 1
    )


def test_a_volume_ledger_links_by_a_unique_customer_name(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    zhang = register_customer(session=archivist, draft=person(name="张三丰"), clock=clock)
    two_namesakes(archivist, clock, "李四")
    path = tmp_path / "v.csv"
    path.write_text(
        "客户名称,案卷题名,年度,保管期限\n张三丰,甲卷,2020,永久\n李四,乙卷,2020,永久\n",
        encoding="utf-8",
    )
    summary = run(archivist, clock, path)
    assert (summary.imported, summary.rejected) == (2, 0)
    found = volumes(archivist, clock)
    assert found["甲卷"].customer_id == zhang.customer_id  # exactly one customer of that name
    assert found["乙卷"].customer_id is None and found["乙卷"].link_hint == "李四"
    [waiting] = imports.list_unlinked_volumes(session=archivist, clock=clock)
    assert waiting.suggestion is None  # two 李四: the operator chooses


def test_title_alone_is_the_volume_title_and_beside_a_volume_title_the_item_title() -> None:
    from app.imports.layout import Header, guess_mapping

    fields = imports.ledger_fields("volumes")
    alone = Header((0,), 1, ("档号", "题名", "年度", "保管期限"))
    assert guess_mapping(alone, fields)[1] == "volume_title"
    both = Header((0,), 1, ("档号", "案卷题名", "题名", "年度", "保管期限"))
    guessed = guess_mapping(both, fields)
    assert (guessed[1], guessed[2]) == ("volume_title", "title")
    catalogue = Header((0,), 1, ("题名", "页数", "件数", "起止日期", "立卷人", "备注", "存放位置"))
    assert set(guess_mapping(catalogue, fields).values()) == {
        "volume_title",
        "page_count",
        "item_count",
        "date_range",
        "compiled_by",
        "remarks",
        "location",
    }
