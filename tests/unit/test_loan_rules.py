"""Loan rules (R30–R34): the routing table for every kind × secrecy, due dates, overdue."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.loans import (
    CLEARED_TITLES,
    DEFAULT_ROUTING,
    LEVEL_KEYS,
    UseKind,
    add_days,
    due_date,
    open_step,
    overdue_days,
    parse_routing,
    route,
    routing_to_json,
)
from app.domain.roles import ApproverTitle as T

HEAD, INFO, CSM, GM, SUP = (
    T.DEPT_HEAD,
    T.INFO_OFFICER,
    T.CS_MANAGER,
    T.GENERAL_MANAGER,
    T.SUPERVISOR,
)
# The whole default table, cell by cell: kind × level → steps (each the titles that may sign).
EXPECTED = {
    (UseKind.CONSULT, None): [{HEAD}, {INFO, CSM, GM}],
    (UseKind.CONSULT, "secret"): [{HEAD}, {INFO, CSM, GM}],
    (UseKind.CONSULT, "confidential"): [{HEAD}, {CSM, GM}],
    (UseKind.CONSULT, "top_secret"): [{HEAD}, {CSM, GM}],
    (UseKind.LOAN, None): [{INFO}],
    (UseKind.LOAN, "secret"): [{INFO}],
    (UseKind.LOAN, "confidential"): [{INFO}, {CSM, GM}],
    (UseKind.LOAN, "top_secret"): [{INFO}, {CSM, GM}],
    (UseKind.COPY, None): [{GM}],
    (UseKind.COPY, "secret"): [{GM}],
    (UseKind.COPY, "confidential"): [{GM}],
    (UseKind.COPY, "top_secret"): [{GM}],
    (UseKind.EXCERPT, None): [{GM}],
    (UseKind.EXCERPT, "secret"): [{GM}],
    (UseKind.EXCERPT, "confidential"): [{GM}],
    (UseKind.EXCERPT, "top_secret"): [{GM}],
    (UseKind.EXTERNAL, None): [{SUP}, {CSM, GM}],
    (UseKind.EXTERNAL, "secret"): [{SUP}, {CSM, GM}],
    (UseKind.EXTERNAL, "confidential"): [{SUP}, {CSM, GM}],
    (UseKind.EXTERNAL, "top_secret"): [{SUP}, {CSM, GM}],
}


@pytest.mark.parametrize(("kind", "level"), list(EXPECTED))
def test_default_route_of_every_kind_and_secrecy_level(kind: UseKind, level: str | None) -> None:
    assert [set(step) for step in route(DEFAULT_ROUTING, kind, level)] == EXPECTED[(kind, level)]


@pytest.mark.parametrize("kind", list(UseKind))
@pytest.mark.parametrize("level", ["confidential", "top_secret"])
def test_classified_material_always_needs_the_cs_manager_or_higher(
    kind: UseKind, level: str
) -> None:
    steps = route(DEFAULT_ROUTING, kind, level)
    assert any(step <= CLEARED_TITLES for step in steps)  # R31


def test_the_table_covers_every_kind_and_level() -> None:
    assert set(DEFAULT_ROUTING) == set(UseKind)
    assert all(set(rows) == set(LEVEL_KEYS) for rows in DEFAULT_ROUTING.values())
    assert len(EXPECTED) == len(UseKind) * len(LEVEL_KEYS)


def test_a_configured_route_replaces_only_its_cell_and_round_trips() -> None:
    table = routing_to_json(DEFAULT_ROUTING)
    table["loan"]["none"] = [["info_officer"], ["dept_head"]]
    routing, errors = parse_routing(table)
    assert errors == []
    assert route(routing, UseKind.LOAN, None) == (frozenset({INFO}), frozenset({HEAD}))
    assert route(routing, UseKind.COPY, None) == route(DEFAULT_ROUTING, UseKind.COPY, None)
    assert parse_routing(routing_to_json(routing))[0] == routing


def test_a_route_for_classified_material_without_a_manager_is_refused() -> None:
    routing, errors = parse_routing({"consult": {"top_secret": [["dept_head"]]}})
    assert [e.reason for e in errors] == ["needs_manager"]
    assert route(routing, UseKind.CONSULT, "top_secret") == route(
        DEFAULT_ROUTING, UseKind.CONSULT, "top_secret"
    )


def test_unknown_titles_kinds_and_empty_cells_are_refused() -> None:
    _r, errors = parse_routing(
        {"lend": {}, "loan": {"none": [["janitor"]], "secret": []}, "copy": {"x": [["gm"]]}}
    )
    assert sorted(e.reason for e in errors) == ["bad_cell", "bad_cell", "bad_cell", "unknown_kind"]


def test_steps_are_signed_in_order_by_a_title_of_the_open_step() -> None:
    steps = route(DEFAULT_ROUTING, UseKind.CONSULT, None)
    assert open_step(steps, [], HEAD) == 0
    assert open_step(steps, [], CSM) is None  # the department head signs first (R30)
    assert open_step(steps, [0], CSM) == 1
    assert open_step(steps, [0], HEAD) is None
    assert open_step(steps, [0, 1], INFO) is None
    assert open_step(steps, [], SUP) is None


def test_a_loan_is_due_three_days_after_issue_by_default() -> None:
    monday = date(2026, 1, 5)
    assert due_date(monday, UseKind.LOAN, loan_days=3, max_days=3) == date(2026, 1, 8)


def test_the_loan_period_never_exceeds_the_policy_maximum() -> None:
    monday = date(2026, 1, 5)
    assert due_date(monday, UseKind.LOAN, loan_days=10, max_days=3) == date(2026, 1, 8)
    assert due_date(monday, UseKind.LOAN, loan_days=2, max_days=5) == date(2026, 1, 7)


def test_an_earlier_requested_date_wins_but_never_a_later_one() -> None:
    monday = date(2026, 1, 5)
    kw = {"loan_days": 3, "max_days": 3}
    assert due_date(monday, UseKind.LOAN, requested=date(2026, 1, 6), **kw) == date(2026, 1, 6)
    assert due_date(monday, UseKind.LOAN, requested=date(2026, 1, 30), **kw) == date(2026, 1, 8)


def test_working_days_skip_weekends_and_holidays() -> None:
    thursday = date(2026, 1, 1)
    holidays = [date(2026, 1, 2)]  # 元旦 holiday on Friday
    assert add_days(thursday, 3, working_days=True, holidays=holidays) == date(2026, 1, 7)
    assert add_days(thursday, 3, working_days=False, holidays=holidays) == date(2026, 1, 4)
    assert due_date(
        thursday, UseKind.LOAN, loan_days=3, max_days=3, working_days=True, holidays=holidays
    ) == date(2026, 1, 7)


@pytest.mark.parametrize("kind", [UseKind.CONSULT, UseKind.COPY, UseKind.EXCERPT, UseKind.EXTERNAL])
def test_on_site_uses_come_back_the_same_day(kind: UseKind) -> None:
    day = date(2026, 1, 5)
    assert due_date(day, kind, loan_days=3, max_days=3) == day


def test_overdue_days_count_from_the_day_after_the_due_date() -> None:
    due = date(2026, 1, 8)
    assert overdue_days(due, date(2026, 1, 8)) == 0
    assert overdue_days(due, date(2026, 1, 11)) == 3
    assert overdue_days(due, date(2026, 1, 1)) == 0
