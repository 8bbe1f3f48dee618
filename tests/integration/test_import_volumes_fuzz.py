"""Random cells through the volume and loan-register kinds: row errors, never an exception.

Every column of both kinds is filled with random text, numbers, dates and near-misses (legacy
words, positions, 档号 with odd separators); checking and importing the valid rows must give
each row a verdict, and the readers of positions, date ranges and markings must never raise.
"""

from __future__ import annotations

from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.clock import FixedClock
from app.domain import locations as loc
from app.errors import FieldError
from app.services import imports
from app.services.auth import SignedIn
from app.services.imports.kinds.positions import parse_position, position_code
from app.services.imports.kinds.volume_words import date_range, retention_code, secrecy_words
from tests.import_helpers import fields_ledger, import_rows, sheet_ledger

NEAR_MISSES = [
    "",
    " ",
    "永",
    "长",
    "短期",
    "15年",
    "999年",
    "D30",
    "公开",
    "内部",
    "绝密★长期",
    "机密★",
    "★",
    "3号库6列B面8节3层",
    "三号库房 第6列 B面 8节 3层",
    "K3-06-B-8-3",
    "第十十列",
    "2019.01.02-2018.01.01",
    "2019-2020",
    "2019.13",
    "Z001-KH·2020-Y-0001",
    "Z001 KH 2020 Y 0001",
    "2025-02-30",
    "43831",
]
CELL = st.one_of(
    st.none(),
    st.text(max_size=16),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    st.sampled_from(NEAR_MISSES),
)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=30), st.sampled_from(NEAR_MISSES)))
def test_the_readers_of_positions_dates_and_markings_never_raise(text: str) -> None:
    parsed = parse_position(text)
    if parsed is not None:
        code = position_code(parsed, loc.DEFAULT_SHELF_PATTERN, loc.DEFAULT_CABINET_PATTERN)
        assert code.startswith("K")
    errors: list[FieldError] = []
    warnings: list[FieldError] = []
    start, end = date_range(text, errors)
    assert (start is None) == (end is None)
    assert start is None or end is None or start <= end
    retention_code(text, warnings)
    secrecy_words(text, warnings, errors)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(st.lists(CELL, min_size=0, max_size=26), min_size=1, max_size=6))
def test_random_cells_give_row_errors_in_volume_and_loan_ledgers(
    archivist: SignedIn, clock: FixedClock, rows: list[list[object]]
) -> None:
    for kind in ("volumes", "loans"):
        ledger, mapping = fields_ledger(kind, rows)
        result = imports.check_ledger(
            session=archivist, kind=kind, ledger=ledger, mapping=mapping, clock=clock
        )
        for outcome in result.outcomes:
            imports.describe_outcome(outcome)
        if result.valid:
            summary = import_rows(archivist, clock, kind, ledger, mapping)
            assert summary.imported == result.valid


PLAUSIBLE = {
    "档号": st.sampled_from(["", "Z001-KH·2020-Y-0001", "Z001-KH·2020-Y-0002", "Z9 9", "??"]),
    "题名": st.sampled_from(["张三丰2020年度客户档案", "卷", "", "x" * 400]),
    "年度": st.sampled_from([2020, "2020年", "１９９９", "", 20200, "abc"]),
    "保管期限": st.sampled_from(["永", "长", "短期", "15年", "D10", "很久", ""]),
    "密级": st.sampled_from(["", "公开", "内部", "非密", "秘密", "绝密★长期", "机密★99年", "?"]),
    "页数": st.sampled_from(["", 12, "12页", -3, 10**9]),
    "件数": st.sampled_from(["", 3, "三", 0]),
    "起止日期": st.sampled_from(["", "2019-2020", "2019.03", "2020.01.02-2019.01.01", "x"]),
    "存放位置": st.sampled_from(["", "3号库6列B面8节3层", "K3-06-B-8-3", "楼下", "K1"]),
}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(st.fixed_dictionaries(PLAUSIBLE), min_size=1, max_size=6),
    decide=st.sampled_from(list(imports.Decision)),
)
def test_plausible_volume_catalogues_import_or_give_row_errors(
    archivist: SignedIn, clock: FixedClock, rows: list[dict[str, object]], decide: imports.Decision
) -> None:
    header = tuple(PLAUSIBLE)
    ledger = sheet_ledger(header, [[r[h] for h in header] for r in rows])
    mapping, _ = imports.guess_columns(
        session=archivist, kind="volumes", ledger=ledger, clock=clock
    )
    checked = imports.check_ledger(
        session=archivist, kind="volumes", ledger=ledger, mapping=mapping, clock=clock
    )
    decisions = {g.key: imports.Choice(decide, keep=g.rows[-1]) for g in checked.duplicates}
    summary = import_rows(archivist, clock, "volumes", ledger, mapping, decisions=decisions)
    assert summary.imported + summary.rejected == len(rows)
    for outcome in summary.outcomes:
        imports.describe_outcome(outcome)
