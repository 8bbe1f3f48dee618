"""Issue 16, encodings and garbled text: UTF-8 (BOM or not), UTF-16, GB18030 detected or chosen;
replacement characters, ``?`` inside a name and private-use characters warned about per row;
random cells never raise anything but a row error, through the import too."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.clock import FixedClock
from app.imports.layout import header_at
from app.imports.sheet import Sheet
from app.imports.source import detect_encoding
from app.messages import REASONS
from app.services import imports
from app.services.auth import SignedIn
from tests.import_helpers import import_rows
from tests.ledgers import mobile, resident_id

HEADER = "客户名称,身份证号,联系电话\n"


def _check(session: SignedIn, clock: FixedClock, ledger: imports.Ledger) -> imports.CheckResult:
    mapping, _ = imports.guess_columns(
        session=session, kind="customers", ledger=ledger, clock=clock
    )
    return imports.check_ledger(
        session=session, kind="customers", ledger=ledger, mapping=mapping, clock=clock
    )


def test_a_gbk_file_with_garbled_names_warns_on_those_rows(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    lines = [
        HEADER.encode("gb18030"),
        f"张三,{resident_id(1)},{mobile(1)}\n".encode("gb18030"),
        # 陶?远阳: a character the program saving the file could not encode
        f"陶?远阳,{resident_id(2)},{mobile(2)}\n".encode("gb18030"),
        # a byte that is no GB18030 character (0xFF) inside the name
        "李".encode("gb18030") + b"\xff" + f"四,{resident_id(3)},{mobile(3)}\n".encode("gb18030"),
        # a GBK user-defined character (AAA1 → U+E000, private use)
        "王".encode("gb18030") + b"\xaa\xa1" + f",{resident_id(4)},{mobile(4)}\n".encode("gb18030"),
        # UTF-8 bytes pasted into the GBK file read back as 锟斤拷-style garbage
        "赵".encode("gb18030") + "锟斤拷".encode("gb18030") + f",{resident_id(5)},\n".encode(),
    ]
    path = tmp_path / "gbk.csv"
    path.write_bytes(b"".join(lines))
    assert detect_encoding(path.read_bytes()) == "gb18030"
    ledger = imports.load_ledger(path, kind="customers")
    assert ledger.sheet.encoding == "gb18030" and ledger.sheet.encoding_detected
    result = _check(archivist, clock, ledger)
    assert result.valid == 5  # warnings only: someone looks, the rows can still be imported
    warned = {o.row: [(w.field, w.reason, w.params) for w in o.warnings] for o in result.outcomes}
    assert warned == {
        2: [],
        3: [("name", "char_question", {"position": 2})],
        4: [("name", "char_replacement", {"position": 2})],
        5: [("name", "char_private_use", {"position": 2})],
        6: [("name", "char_replacement", {"position": 2})],
    }
    text = imports.describe_outcome(result.outcomes[1])
    assert text.startswith("名称：第 2 个字符是“?”")
    notes = [n.reason for n in imports.read_notes(ledger)]
    assert notes == ["encoding_detected"]


@pytest.mark.parametrize(
    ("encoding", "bom", "detected"),
    [
        ("utf-8", b"", "utf-8-sig"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("gb18030", b"", "gb18030"),
        ("utf-16-le", b"\xff\xfe", "utf-16"),
        ("utf-16-be", b"\xfe\xff", "utf-16"),
        ("utf-16-le", b"", "utf-16-le"),
    ],
)
def test_encodings_are_detected(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path, encoding: str, bom: bytes, detected: str
) -> None:
    body = HEADER + f"欧阳娜娜,{resident_id(7)},{mobile(7)}\n" + f"司马懿,{resident_id(8)},\n"
    path = tmp_path / "e.csv"
    path.write_bytes(bom + body.encode(encoding))
    ledger = imports.load_ledger(path, kind="customers")
    assert ledger.sheet.encoding == detected
    assert ledger.header.names == ("客户名称", "身份证号", "联系电话")
    result = _check(archivist, clock, ledger)
    assert result.valid == 2 and not any(o.warnings for o in result.outcomes)


def test_a_utf8_file_with_a_few_stray_bytes_stays_utf8_with_a_warning(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    rows = "".join(f"客户{n}号,{resident_id(20 + n)},{mobile(20 + n)}\n" for n in range(30))
    data = (HEADER + rows).encode("utf-8") + "钱".encode() + b"\xb6" + b",,\n"
    path = tmp_path / "stray.csv"
    path.write_bytes(data)
    ledger = imports.load_ledger(path, kind="customers")
    assert ledger.sheet.encoding == "utf-8-sig"
    result = _check(archivist, clock, ledger)
    last = result.outcomes[-1]
    assert [w.reason for w in last.warnings] == ["char_replacement"]


def test_the_operator_can_choose_the_encoding_and_the_rows_change(
    archivist: SignedIn, clock: FixedClock, tmp_path: Path
) -> None:
    path = tmp_path / "u.csv"
    path.write_bytes((HEADER + f"欧阳娜娜,{resident_id(7)},{mobile(7)}\n").encode("utf-8"))
    wrong = imports.load_ledger(path, kind="customers", encoding="gb18030")
    assert not wrong.sheet.encoding_detected and wrong.sheet.rows[1][0] != "欧阳娜娜"
    assert [n.reason for n in imports.read_notes(wrong)] == ["encoding_chosen"]
    right = imports.load_ledger(path, kind="customers", encoding="utf-8-sig")
    assert right.sheet.rows[1][0] == "欧阳娜娜"


ID_LIKE = st.one_of(
    st.from_regex(r"[0-9]{6}(19|20)[0-9]{6}[0-9X]{4}", fullmatch=True),
    st.from_regex(r"[0-9A-Z]{15,19}", fullmatch=True),
    st.from_regex(r"1[0-9]{9,12}|1\.[0-9]{2,6}E\+10|1[0-9]{2}\*{4}[0-9]{4}", fullmatch=True),
)
CELL = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.text(alphabet="陶远阳?\ufffd\ue000锟斤拷合计共户", max_size=8),
    ID_LIKE,
    st.integers(min_value=-(10**19), max_value=10**19),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(st.lists(CELL, min_size=1, max_size=8), min_size=1, max_size=6))
def test_random_cells_give_row_errors_only_through_check_and_import(
    archivist: SignedIn, clock: FixedClock, rows: list[list[object]]
) -> None:
    fields = imports.ledger_fields("customers")
    header = (
        "客户名称",
        "客户类型",
        "重要程度",
        "身份证号",
        "手机",
        "出生日期",
        "银行账号",
        "地址",
    )
    sheet = Sheet("fuzz", [header, *[tuple(r) for r in rows]], [])  # type: ignore[list-item]
    ledger = imports.Ledger(Path("fuzz.xlsx"), sheet, header_at(sheet, 0))
    guesses = imports.column_guesses("customers", ledger)
    mapping = {c: g.key for c, g in guesses.items()}
    assert {f.key for f in fields} >= set(mapping.values())
    if "name" not in mapping.values():
        return
    checked = imports.check_ledger(
        session=archivist, kind="customers", ledger=ledger, mapping=mapping, clock=clock
    )
    assert checked.read == ledger.read_rows
    for outcome in checked.outcomes:
        imports.describe_outcome(outcome)
        assert {e.reason for e in outcome.errors + outcome.warnings} <= set(REASONS)
    summary = import_rows(archivist, clock, "customers", ledger, mapping, checked=checked)
    assert summary.read == summary.imported + summary.rejected + len(summary.skipped)
    if summary.batch_id is not None:
        imports.undo_import(session=archivist, batch_id=summary.batch_id, clock=clock)
