"""Disposition rules (R12, R44, R46): routes, methods, retention ends, hold queries."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date

import pytest

from app.domain import disposition as rules
from app.domain.roles import ApproverTitle

CSM, GM = ApproverTitle.CS_MANAGER, ApproverTitle.GENERAL_MANAGER


def test_the_default_route_is_the_customer_service_manager_then_the_general_manager() -> None:
    assert rules.route_for((), {None}) == ["cs_manager", "general_manager"]


def test_confidential_and_top_secret_lists_always_end_with_the_general_manager() -> None:
    assert rules.route_for((CSM,), {None, "secret"}) == ["cs_manager"]
    assert rules.route_for((CSM,), {"confidential"}) == ["cs_manager", "general_manager"]
    assert rules.route_for((CSM, GM), {"top_secret"}) == ["cs_manager", "general_manager"]


def test_steps_are_signed_in_order() -> None:
    assert rules.next_step(["a", "b"], set()) == 0
    assert rules.next_step(["a", "b"], {0}) == 1
    assert rules.next_step(["a", "b"], {0, 1}) is None


@pytest.mark.parametrize("text", ["出售", "当作废纸卖掉", "废品回收", "sell as scrap", "变卖"])
def test_any_form_of_sale_is_refused(text: str) -> None:
    assert rules.method_is_sale(text)


@pytest.mark.parametrize("method", list(rules.Method))
def test_the_allowed_methods_are_not_sales(method: rules.Method) -> None:
    assert not rules.method_is_sale(method.value) and not rules.method_is_sale(method.label)


def test_retention_ends_counted_from_the_year_after_filing_unless_extended() -> None:
    assert rules.retention_end_year(2010, "D10", None) == 2020
    assert rules.retention_end_year(1990, "D30", None) == 2020
    assert rules.retention_end_year(2010, "D10", 2031) == 2031
    assert rules.retention_end_year(2010, "Y", None) is None
    assert rules.kept_years(2010, date(2026, 1, 5)) == 15
    assert rules.kept_years(2026, date(2026, 1, 5)) == 0


def test_a_hold_query_matches_its_volumes_and_an_empty_one_nothing() -> None:
    query = rules.VolumeQuery(category_code="KH", year_from=2009, year_to=2011)
    assert query.matches(category_code="KH", fonds_code="Z001", year=2010)
    assert not query.matches(category_code="HT", fonds_code="Z001", year=2010)
    assert not query.matches(category_code="KH", fonds_code="Z001", year=2012)
    assert rules.VolumeQuery.from_json(query.to_json()) == query
    assert query.describe() == "门类 KH，2009–2011 年"
    empty = rules.VolumeQuery()
    assert empty.to_json() == "" and not empty.matches(category_code="", fonds_code="", year=1)


def test_dates_print_as_a_range_or_the_year() -> None:
    assert rules.date_range_text(date(2010, 3, 1), date(2010, 11, 30), 2010) == (
        "2010-03-01—2010-11-30"
    )
    assert rules.date_range_text(None, None, 2010) == "2010"


def test_a_list_row_gives_its_texts_in_the_order_of_the_column_titles() -> None:
    # every text field holds its own name: the cells show which field fills which column
    names = [f.name for f in fields(rules.DestructionRow) if f.name != "seq"]
    row = rules.DestructionRow(seq=3, **dict(zip(names, names, strict=True)))
    assert dict(zip(rules.LIST_COLUMNS, row.cells(), strict=True)) == {
        "序号": "3",
        "档号": "reference_code",
        "题名": "title",
        "起止日期": "date_range",
        "密级": "secrecy",
        "数量": "quantity",
        "应保管期限": "retention",
        "已保管期限": "kept",
        "销毁原因": "reason",
        "备注": "remarks",
    }
    unclassified = replace(row, secrecy="")
    assert unclassified.cells()[4] == ""
    assert unclassified.cells(unclassified="—")[4] == "—"  # the printed 清册 leaves no blank
