"""Inspection rules: climate limits and daily swing, the half-yearly schedule (R41)."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain import inspections as rules
from app.domain.inspections import ClimateLimits, ClimateProblem, DueState

PAPER = ClimateLimits()


@pytest.mark.parametrize(
    ("t", "rh", "expected"),
    [
        (140, 450, []),  # the lower bounds are allowed
        (240, 600, []),  # and the upper ones
        (139, 500, [ClimateProblem.TOO_COLD]),
        (241, 500, [ClimateProblem.TOO_WARM]),
        (200, 449, [ClimateProblem.TOO_DRY]),
        (250, 601, [ClimateProblem.TOO_WARM, ClimateProblem.TOO_DAMP]),
    ],
)
def test_a_reading_outside_14_to_24_degrees_or_45_to_60_percent_is_flagged(
    t: int, rh: int, expected: list[ClimateProblem]
) -> None:
    assert rules.reading_problems(t, rh, PAPER) == expected


def test_a_daily_swing_above_2_degrees_or_5_percent_is_flagged_per_day() -> None:
    day1, day2 = date(2026, 3, 1), date(2026, 3, 2)
    readings = [(day1, 180, 500), (day1, 200, 550), (day2, 180, 500), (day2, 201, 551)]
    assert rules.swing_problems(readings, PAPER) == {
        day2: [ClimateProblem.T_SWING, ClimateProblem.RH_SWING]
    }


def test_limits_are_configurable_per_room_type() -> None:
    media = rules.DEFAULT_LIMITS[rules.RoomType.MEDIA]
    assert rules.reading_problems(260, 420, media) == []
    assert rules.reading_problems(260, 420, PAPER) == [
        ClimateProblem.TOO_WARM,
        ClimateProblem.TOO_DRY,
    ]


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        (date(2026, 1, 15), date(2026, 7, 15)),
        (date(2025, 8, 31), date(2026, 2, 28)),  # no 31 February: the month's last day
        (date(2025, 12, 1), date(2026, 6, 1)),
    ],
)
def test_the_next_half_yearly_inspection_is_six_months_after_the_last(
    last: date, expected: date
) -> None:
    assert rules.next_due(last, date(2020, 1, 1)) == expected


def test_a_room_never_inspected_is_due_six_months_after_it_was_set_up() -> None:
    assert rules.next_due(None, date(2026, 1, 5)) == date(2026, 7, 5)


def test_due_soon_within_30_days_and_overdue_after_the_day() -> None:
    due = date(2026, 7, 15)
    assert rules.due_state(due, date(2026, 6, 14)) is DueState.OK
    assert rules.due_state(due, date(2026, 6, 15)) is DueState.DUE
    assert rules.due_state(due, due) is DueState.DUE
    assert rules.due_state(due, date(2026, 7, 16)) is DueState.OVERDUE


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("23.5", 235),
        ("23", 230),
        ("23,5", 235),
        ("-2.5", -25),
        ("", None),
        ("2.55", None),
        ("a", None),
    ],
)
def test_readings_are_typed_with_at_most_one_decimal(text: str, value: int | None) -> None:
    assert rules.parse_tenths(text) == value


def test_two_different_inspectors_are_needed() -> None:
    assert not rules.inspector_names_ok(["李四", "李四 "])
    assert rules.inspector_names_ok(["李四", "王五"])
