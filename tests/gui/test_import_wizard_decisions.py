"""导入向导 with a duplicate decision and a batch of missing places; 待关联案卷; a loan register.

Real widgets offscreen on a real database; screenshots of the new steps go to
docs/screenshots/.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from app.services import locations as L
from app.services.auth import SignedIn
from app.services.customers import register_customer
from app.storage.models import Customer, Loan, Volume
from tests.factories import person
from tests.gui.conftest import WizardDesk, choose_file, finish_import, save_screenshot
from tests.import_helpers import import_file
from tests.ledgers import resident_id
from ui.dialogs.import_wizard import ImportWizard
from ui.dialogs.import_wizard.decisions_page import DecisionsPage
from ui.dialogs.link_volumes import LinkVolumesDialog


def _csv(path: Path, rows: list[list[str]]) -> Path:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    path.write_bytes(text.getvalue().encode("gb18030"))
    return path


def _walk_past_mapping(wizard: ImportWizard, path: Path) -> None:
    """Open ``path`` and go on with the header and mapping found: to the duplicates step (the
    preview for a kind that has none)."""
    choose_file(wizard, path)
    wizard.next()
    wizard.next()  # header → mapping
    wizard.next()  # mapping → decisions (or preview)


def _at_decisions(
    import_desk: WizardDesk, kind: str, path: Path, rows: list[list[str]]
) -> tuple[ImportWizard, SignedIn, DecisionsPage]:
    """The ``kind`` wizard on a GB18030 CSV of ``rows`` at ``path``, at the duplicates step."""
    wizard, session = import_desk.open(kind)
    _walk_past_mapping(wizard, _csv(path, rows))
    page = wizard.decisions_page
    assert wizard.currentPage() is page
    return wizard, session, page


def test_a_volume_ledger_through_the_duplicate_decision_and_the_place_batch(
    import_desk: WizardDesk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = import_desk.clock
    wizard, session, page = _at_decisions(
        import_desk,
        "volumes",
        tmp_path / "案卷目录.csv",
        [
            ["档号", "案卷题名", "年度", "保管期限", "密级", "页数", "存放位置"],
            [
                "Z001-KH·2020-Y-0001",
                "张三丰2020年度",
                "2020",
                "永久",
                "公开",
                "30",
                "3号库6列B面8节3层",
            ],
            [
                "Z001-KH·2020-Y-0001",
                "李四2021年度",
                "2021",
                "长期",
                "内部",
                "12",
                "3号库6列B面8节3层",
            ],
            [
                "Z001-KH·2020-Y-0002",
                "王五2019年度",
                "2019",
                "短期",
                "",
                "8",
                "三号库房 第6列 B面 8节 2层",
            ],
        ],
    )
    assert page.table.rowCount() == 1
    assert page.table.item(0, 0).text() == "档号（Z001-KH·2020-Y-0001）"
    assert page.table.item(0, 1).text() == "第 2、3 行"
    assert page.rows.rowCount() == 2  # the two rows side by side
    assert page.rows.item(1, 2).text() == "李四2021年度"
    assert page.rows.item(1, 1).text() == "Z001-KH·2020-Y-0001"  # a 档号 is not masked
    page.choose(0, "都导入（加备注）")
    save_screenshot(wizard, "import-wizard-duplicates.png")
    wizard.next()
    places = wizard.places_page
    assert wizard.currentPage() is places
    assert places.table.rowCount() == 2
    assert "尚未建立" in places.summary.text() and "层 2 个" in places.summary.text()
    assert places.create.isChecked()
    save_screenshot(wizard, "import-wizard-places.png")
    wizard.next()  # creates the places
    preview = wizard.preview_page
    assert wizard.currentPage() is preview
    assert "共 3 行：可导入 3 行，未通过检查 0 行" in preview.counts.text()
    finish_import(wizard, monkeypatch)
    with session.uow(clock) as uow:
        found = {
            v.title: (v.id, v.reference_code, v.index_remarks, v.openness)
            for v in uow.session.scalars(select(Volume))
        }
    assert found["张三丰2020年度"][1:] == ("Z001-KH·2020-Y-0001", "", "public")
    assert found["李四2021年度"][1] != "Z001-KH·2020-Y-0001"
    assert "已另编档号" in found["李四2021年度"][2] and found["李四2021年度"][3] == "internal"
    where = L.where_is_volume(session=session, volume_id=found["王五2019年度"][0], clock=clock)
    assert where.location_code == "K3-06-B-8-2"

    dialog = import_desk.add(LinkVolumesDialog(None, import_desk.context, session))
    dialog.show()
    assert dialog.panel.table.model().rowCount() == 3
    assert "3 卷案卷尚未关联客户" in dialog.count.text()


def test_a_customer_duplicate_id_is_decided_in_the_wizard(
    import_desk: WizardDesk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = import_desk.clock
    wizard, session, page = _at_decisions(
        import_desk,
        "customers",
        tmp_path / "客户.csv",
        [
            ["客户名称", "身份证号", "手机"],
            ["张一", resident_id(1), "13900000001"],
            ["张一新", resident_id(1), "13900000002"],
            ["李二", resident_id(2), "13900000001"],
        ],
    )
    assert [page.table.item(n, 0).text() for n in range(page.table.rowCount())] == [
        "证件号码",
        "联系电话",
    ]
    combo = page.combos[0]
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert texts == ["只导入第 2 行", "只导入第 3 行", "都跳过"]  # never both (R3)
    assert "*" in page.rows.item(0, 2).text()  # the ID number masked (R5)
    page.choose(0, "只导入第 3 行")
    wizard.next()  # no 存放位置 column: the places step is skipped
    preview = wizard.preview_page
    assert wizard.currentPage() is preview
    assert "共 3 行：可导入 2 行，未通过检查 1 行" in preview.counts.text()
    finish_import(wizard, monkeypatch, rejected=tmp_path / "未导入的行.xlsx")
    with session.uow(clock) as uow:
        names = sorted(uow.session.scalars(select(Customer.name)))
    assert names == ["张一新", "李二"]


def test_unlinked_volumes_are_linked_by_suggestion_in_the_dialog(
    import_desk: WizardDesk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wizard, session = import_desk.open("volumes")
    clock = import_desk.clock
    zhang = register_customer(session=session, draft=person(name="张三丰"), clock=clock)
    path = _csv(
        tmp_path / "v.csv",
        [
            ["题名", "年度", "保管期限"],
            ["张三丰2020年度客户档案", "2020", "永久"],
            ["无名卷", "2020", "永久"],
        ],
    )
    import_file(session, clock, path, "volumes")
    wizard.close()
    dialog = import_desk.add(LinkVolumesDialog(None, import_desk.context, session))
    dialog.show()
    assert "2 卷案卷尚未关联客户，其中 1 卷有建议" in dialog.count.text()
    save_screenshot(dialog, "link-volumes.png")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.batch.click()
    assert "1 卷案卷尚未关联客户，其中 0 卷有建议" in dialog.count.text()
    dialog.panel.table.selectRow(0)
    dialog.customer_number = zhang.number
    dialog.one.click()
    assert "0 卷案卷尚未关联客户" in dialog.count.text()
    with session.uow(clock) as uow:
        owners = set(uow.session.scalars(select(Volume.customer_id)))
    assert owners == {zhang.customer_id}


def test_a_loan_register_in_the_wizard(
    import_desk: WizardDesk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wizard, session = import_desk.open("loans")
    clock = import_desk.clock
    number = register_customer(session=session, draft=person(), clock=clock).number
    volumes = _csv(
        tmp_path / "v.csv",
        [
            ["档号", "客户编号", "案卷题名", "年度", "保管期限"],
            ["Z001-KH·2025-Y-0001", number, "卷", "2025", "永久"],
        ],
    )
    import_file(session, clock, volumes, "volumes")
    register = _csv(
        tmp_path / "借阅登记簿.csv",
        [
            ["档号", "借阅人", "借出日期", "应还日期", "归还日期"],
            ["Z001.KH.2025.Y.0001", "赵六", "2025-12-01", "2025-12-20", ""],
            ["Z001-KH·2099-Y-0009", "孙八", "2025-12-01", "", ""],
        ],
    )
    _walk_past_mapping(wizard, register)  # no duplicate or place step for a register
    preview = wizard.preview_page
    assert wizard.currentPage() is preview
    assert "共 2 行：可导入 1 行，未通过检查 1 行" in preview.counts.text()
    save_screenshot(wizard, "import-wizard-loans.png")
    finish_import(wizard, monkeypatch, rejected=tmp_path / "未导入的行.xlsx")
    with session.uow(clock) as uow:
        assert [(loan.state) for loan in uow.session.scalars(select(Loan))] == ["out"]
