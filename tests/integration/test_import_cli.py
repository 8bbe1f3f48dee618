"""``archive-room import``: the wizard's code from a script, counts printed, a JSON report.

Exit 0 when the import ran (rows may be rejected), 1 on an unreadable file or a refused
sign-in; the report holds counts, line numbers and codes, never a value of the ledger.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from sqlalchemy import func, select

from app.clock import FixedClock
from app.services.auth import SignedIn
from app.services.customers import register_customer, search_customers
from app.storage.location import DatabaseLocation
from app.storage.models import Customer, Loan, Volume
from tests.factories import PASSWORD, person
from tests.integration.test_demo_and_cli import cli
from tests.ledgers import resident_id


def _secret(tmp_path: Path, text: str = PASSWORD) -> Path:
    secret = tmp_path / "pw"
    secret.write_text(text + "\n", encoding="utf-8")
    os.chmod(secret, 0o600)
    return secret


def _run(
    location: DatabaseLocation, tmp_path: Path, *args: str, password: str = PASSWORD
) -> tuple[int, str, str]:
    """``import`` on the command line as lisi, ``password`` read from a file; the exit code,
    standard output and standard error."""
    done = cli(
        "import",
        "--db",
        str(location.sqlite_path),
        "--user",
        "lisi",
        "--password-file",
        str(_secret(tmp_path, password)),
        *args,
    )
    return done.returncode, done.stdout, done.stderr


def _count(session: SignedIn, clock: FixedClock, model: type) -> int:
    with session.uow(clock) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def customer_csv(tmp_path: Path) -> Path:
    text = io.StringIO()
    csv.writer(text).writerows(
        [
            ["客户名称", "身份证号", "手机"],
            ["张一", resident_id(1), "13900000001"],  # line 2
            ["张二", resident_id(1), "13900000002"],  # line 3: the same ID (skipped, R3)
            [],  # line 4: blank
            ["李三", resident_id(3), "13900000001"],  # line 5: the phone of line 2 (flagged)
            ["", "123", "abc"],  # line 6: no name, bad ID, bad phone
            ["王五", resident_id(5), ""],  # line 7
            ["合计", "4 户", ""],  # line 8: a total line (skipped by the reader)
        ]
    )
    path = tmp_path / "客户台账.csv"
    path.write_bytes(text.getvalue().encode("gb18030"))
    return path


def test_a_dry_run_then_the_import_print_counts_and_write_the_report(
    archivist: SignedIn, location: DatabaseLocation, clock: FixedClock, tmp_path: Path
) -> None:
    ledger = customer_csv(tmp_path)
    report = tmp_path / "report.json"
    before = _count(archivist, clock, Customer)
    code, out, err = _run(
        location, tmp_path, "--kind", "customers", "--dry-run", "--report", str(report), str(ledger)
    )
    assert code == 0, err
    # blank line 4 is not a row read; the total line 8 is, and is skipped; the ID pair is a
    # duplicate group settled as the wizard proposes: the first imported, the second skipped
    assert "读到 6 行：可导入 3 行（其中疑似重复 2 行），拒绝 1 行，跳过 2 行" in out
    assert "重复分组 2 组：已按默认处理" in out
    assert _count(archivist, clock, Customer) == before  # nothing written
    dry = json.loads(report.read_text(encoding="utf-8"))
    assert {k: dry[k] for k in ("total", "valid", "rejected", "flagged", "skipped")} == {
        "total": 6,
        "valid": 3,
        "rejected": 1,
        "flagged": 2,
        "skipped": 2,
    }
    assert dry["total"] == dry["valid"] + dry["rejected"] + dry["skipped"]
    code, out, err = _run(
        location, tmp_path, "--kind", "customers", "--report", str(report), str(ledger)
    )
    assert code == 0, err
    assert "已导入 3 行" in out
    assert _count(archivist, clock, Customer) == before + 3
    done = json.loads(report.read_text(encoding="utf-8"))
    rows = {r["row"]: r for r in done["rows"]}
    assert [(n, rows[n]["status"]) for n in sorted(rows)] == [
        (2, "flagged"),  # the first of the ID pair, and it shares a phone with line 5
        (3, "skipped"),
        (5, "flagged"),
        (6, "rejected"),
        (7, "imported"),
        (8, "skipped"),
    ]
    assert rows[8]["reasons"] == ["total"]
    assert done["total"] == done["valid"] + done["rejected"] + done["skipped"] == 6
    assert rows[3]["reasons"] == ["skipped_by_decision"]
    assert "duplicate_group" in rows[2]["warnings"]
    assert "required" in rows[6]["reasons"]
    text = report.read_text(encoding="utf-8")
    for secret in (resident_id(1), "13900000001", "张一", "李三"):
        assert secret not in text  # codes and line numbers only


def test_volumes_with_a_mapping_file_and_a_gb18030_loan_register(
    archivist: SignedIn, location: DatabaseLocation, clock: FixedClock, tmp_path: Path
) -> None:
    number = register_customer(session=archivist, draft=person(), clock=clock).number
    volumes = tmp_path / "案卷目录.csv"
    volumes.write_text(
        "卷号,客户,名称,年份,期限,位置\n"
        f"Z001-KH·2025-Y-0001,{number},甲卷,2025,永久,\n"
        "Z001-KH·2025-Y-0002,,乙卷,2025,长期,3号库6列B面8节3层\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {
                "卷号": "reference_code",
                "客户": "客户编号",
                "C": "volume_title",
                "4": "year",
                "期限": "retention",
                "位置": "location",
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    report = tmp_path / "v.json"
    code, out, err = _run(
        location,
        tmp_path,
        "--kind",
        "volumes",
        "--mapping",
        str(mapping),
        "--report",
        str(report),
        str(volumes),
    )
    assert code == 0, err
    assert "已导入 2 行" in out and "待关联案卷：1" in out
    rows = json.loads(report.read_text(encoding="utf-8"))["rows"]
    assert {r["row"]: set(r["warnings"]) for r in rows} == {
        2: set(),
        3: {"unlinked_none", "retention_mapped", "place_missing"},
    }
    assert _count(archivist, clock, Volume) == 2

    register = tmp_path / "借阅登记簿.csv"
    text = io.StringIO()
    csv.writer(text).writerows(
        [
            ["档号", "借阅人", "借出日期", "应还日期", "归还日期"],
            ["Z001-KH.2025-Y-0001", "赵六", "2025-12-01", "2025-12-20", "2025-12-10"],
            ["Z001 KH 2025 Y 0002", "钱七", "2025-12-15", "2025-12-30", ""],
            ["Z001-KH·2099-Y-0009", "孙八", "2025-12-01", "", ""],
        ]
    )
    register.write_bytes(text.getvalue().encode("gb18030"))
    code, out, err = _run(
        location, tmp_path, "--kind", "loans", "--encoding", "gb18030", str(register)
    )
    assert code == 0, err
    assert "读到 3 行：已导入 2 行" in out and "拒绝 1 行" in out
    assert _count(archivist, clock, Loan) == 2


def test_encoding_reads_a_gb18030_csv_with_the_encoding_given(
    archivist: SignedIn, location: DatabaseLocation, clock: FixedClock, tmp_path: Path
) -> None:
    """``--encoding`` goes to the reader: the names come out right with GB18030, garbled (and
    the header not found) when the file is read as UTF-16; an unknown encoding is an error."""
    path = tmp_path / "客户.csv"
    path.write_bytes(
        "客户名称,身份证号,手机\n"
        f"欧阳锟,{resident_id(11)},13900000011\n"
        f"䶮䶵,{resident_id(12)},13900000012\n".encode("gb18030")
    )
    before = _count(archivist, clock, Customer)
    code, out, err = _run(
        location, tmp_path, "--kind", "customers", "--encoding", "utf-16", str(path)
    )
    assert _count(archivist, clock, Customer) == before  # nothing sensible read, nothing written
    assert code == 1 or "已导入 0 行" in out, (code, out, err)
    code, out, err = _run(
        location, tmp_path, "--kind", "customers", "--encoding", "no-such", str(path)
    )
    assert code == 1 and "错误：" in err and "Traceback" not in err
    report = tmp_path / "r.json"
    code, out, err = _run(
        location,
        tmp_path,
        "--kind",
        "customers",
        "--encoding",
        "GB18030",
        "--report",
        str(report),
        str(path),
    )
    assert code == 0, err
    assert "已导入 2 行" in out and "忽略" not in err
    rows = json.loads(report.read_text(encoding="utf-8"))["rows"]
    assert [r["warnings"] for r in rows] == [[], []]  # no replacement characters
    assert _count(archivist, clock, Customer) == before + 2
    for name in ("欧阳锟", "䶮䶵"):  # read as written: found by their names
        assert search_customers(session=archivist, query=name, clock=clock).total == 1


def test_an_unreadable_file_and_a_refused_sign_in_exit_1_with_a_message(
    archivist: SignedIn, location: DatabaseLocation, tmp_path: Path
) -> None:
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    code, _out, err = _run(location, tmp_path, "--kind", "customers", str(broken))
    assert code == 1 and err.startswith("错误：") and "Traceback" not in err
    code, _out, err = _run(location, tmp_path, "--kind", "customers", str(tmp_path / "无.csv"))
    assert code == 1 and "错误：" in err
    code, _out, err = _run(
        location,
        tmp_path,
        "--kind",
        "customers",
        str(customer_csv(tmp_path)),
        password="wrong password",
    )
    assert code == 1 and "错误：" in err


def test_a_catalogue_with_one_code_typed_twice_imports_its_volumes_and_settles_the_pair(
    archivist: SignedIn, location: DatabaseLocation, clock: FixedClock, tmp_path: Path
) -> None:
    # one 档号 typed twice in a 案卷目录 is a mistake to show, not a sign of an item ledger: 题名
    # stays the volume's title (every row was refused for a missing 案卷题名 before), and the
    # pair is settled as the wizard proposes when nobody chooses (the first one imported)
    lines = ["档号,题名,年度,保管期限"]
    lines += [f"Z001-KH·2025-Y-{n:04d},客户档案{n},2025,永久" for n in range(1, 9)]
    lines.append("Z001-KH·2025-Y-0003,另一份档案,2025,永久")  # line 10: the code of line 4
    volumes = tmp_path / "案卷目录.csv"
    volumes.write_text("\n".join(lines), encoding="utf-8")
    report = tmp_path / "v.json"
    code, out, err = _run(
        location, tmp_path, "--kind", "volumes", "--report", str(report), str(volumes)
    )
    assert code == 0, err
    assert "已导入 8 行" in out and "重复分组 1 组" in out
    rows = {r["row"]: r for r in json.loads(report.read_text(encoding="utf-8"))["rows"]}
    assert rows[4]["status"] == "flagged" and "duplicate_group" in rows[4]["warnings"]
    assert rows[10]["status"] == "skipped"
    assert all(rows[n]["status"] == "imported" for n in (2, 3, 5, 6, 7, 8, 9))


def test_a_ledger_without_a_required_column_names_the_column_and_the_headers_read(
    archivist: SignedIn, location: DatabaseLocation, tmp_path: Path
) -> None:
    # not "名称：不能为空" as if a cell were empty: the column is missing, and the headers the
    # reader took are shown (column names, never a value of the ledger)
    ledger = tmp_path / "通讯录.csv"
    ledger.write_text(f"联系人,身份证号\n张一,{resident_id(1)}\n", encoding="utf-8")
    code, out, err = _run(location, tmp_path, "--kind", "customers", "--dry-run", str(ledger))
    assert code == 1
    assert "台账中没有“客户名称”这一列" in err and "读到的表头：联系人、身份证号" in err
    assert "张一" not in out + err and resident_id(1) not in out + err
