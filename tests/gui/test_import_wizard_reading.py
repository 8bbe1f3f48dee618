"""导入向导, issue 16's reading side: the encoding chosen and the rows read again, skipped
footers shown with their rows, each column's guess with its confidence, counts that add up."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services.customers import search_customers
from tests.gui.conftest import WizardDesk, choose_file, finish_import
from tests.ledgers import mobile, resident_id


def gbk_ledger(path: Path) -> Path:
    lines = ["客户名称,客户类型,重要程度,身份证号,手机"]
    lines += [f"客户{n}号,个人,★,{resident_id(n)},{mobile(n)}" for n in range(1, 6)]
    lines.append(f"陶?远阳,个人,A,{resident_id(6)},{mobile(6)}")
    lines.append(f"李四商贸有限公司,企业,B,,{mobile(7)}")
    lines.append("合计,,,,7 户")
    lines.append("制表人：王五,,,,")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def test_encoding_skipped_footers_and_guess_confidence_in_the_wizard(
    import_desk: WizardDesk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wizard, session = import_desk.open("customers")
    clock = import_desk.clock
    wizard.resize(1100, 700)
    choose_file(wizard, gbk_ledger(tmp_path / "台账.csv"))
    wizard.next()
    page = wizard.header_page
    assert page.encoding.isVisible() and page.encoding.currentText() == "自动识别"
    assert "按 GB18030 编码读取（自动识别）" in page.notes.text()
    names = page.names.text()
    assert "共读到 9 行" in names and "数据 7 行" in names
    assert "跳过 2 行" in names and "第 9 行（合计）" in names and "第 10 行（表尾说明）" in names
    footer = page.table.item(8, 0)
    assert footer.toolTip().startswith("合计")
    # read as UTF-8 the Chinese turns to replacement characters; back to GB18030 it reads right
    before = page.table.item(0, 0).text()
    assert before == "客户名称"
    page.encoding.setCurrentIndex(page.encoding.findData("utf-8-sig"))
    page.encoding.activated.emit(page.encoding.currentIndex())
    assert wizard.ledger is not None and wizard.ledger.sheet.encoding == "utf-8-sig"
    assert page.table.item(0, 0).text() != before
    assert "人工选择" in page.notes.text()
    page.encoding.setCurrentIndex(page.encoding.findData("gb18030"))
    page.encoding.activated.emit(page.encoding.currentIndex())
    assert page.table.item(0, 0).text() == "客户名称"
    wizard.next()
    mapping = wizard.mapping_page
    assert mapping.chosen() == {0: "name", 1: "party", 2: "importance", 3: "id_number", 4: "phone"}
    party = mapping.table.item(1, 3).text()
    assert party.startswith("高") and "按列中的值" in party and "客户类型" in party
    assert mapping.table.item(2, 3).text().startswith("高：列名相符")
    mapping.combos[1].setCurrentIndex(mapping.combos[1].findData("kind"))
    assert mapping.table.item(1, 3).text() == "已手工选择"
    mapping.combos[1].setCurrentIndex(mapping.combos[1].findData("party"))
    assert mapping.table.item(1, 3).text().startswith("高")
    wizard.next()
    assert wizard.currentPage() is wizard.decisions_page  # no duplicates in this ledger
    wizard.next()
    preview = wizard.preview_page
    counts = preview.counts.text()
    assert (
        "读到 9 行：可导入 7 行，未通过检查 0 行，跳过 2 行" in counts and "第 9、10 行" in counts
    )
    garbled = next(o for o in preview.model.rows if o[0].row == 7)
    assert "第 2 个字符是“?”" in preview.model.verdict(garbled[0])
    finish_import(wizard, monkeypatch)
    assert wizard.summary is not None and wizard.summary.rechecked_only
    text = wizard.summary_page.text.text()
    assert "读到 9 行：已导入 7 行，未导入 0 行，跳过 2 行" in text
    org = search_customers(session=session, query="李四商贸", clock=clock).rows[0]
    assert org.party == "org"
