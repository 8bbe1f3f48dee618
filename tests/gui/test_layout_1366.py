"""Layout on a 1366×768 laptop screen, folder memory, errors cleared, the volume form (issue 21)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.services.auth import SignedIn, sign_in, sign_out
from app.storage.location import DatabaseLocation
from tests.factories import VALID_ID
from ui import files
from ui.dialogs.catalogue_forms import VolumeFormDialog
from ui.dialogs.customer_form import CustomerFormDialog
from ui.geometry import FRAME_HEIGHT

ROOT = Path(__file__).resolve().parents[2]
SCREEN = {
    "screens": [
        {
            "name": "laptop",
            "x": 0,
            "y": 0,
            "width": 1366,
            "height": 768,
            "logicalDpi": 96,
            "logicalBaseDpi": 96,
            "dpr": 1,
        }
    ]
}


def test_every_dialog_and_the_print_preview_fit_a_1366x768_screen(
    demo_copy: DatabaseLocation, tmp_path: Path
) -> None:
    config = tmp_path / "screen.json"
    config.write_text(json.dumps(SCREEN), encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}")
    where = str(demo_copy.path or demo_copy.url)
    done = subprocess.run(
        [sys.executable, "-m", "tests.gui.layout_probe", where],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["available"] == [0, 0, 1366, 768]
    frames = report["frames"]
    assert len(frames) >= 20
    broken = {name: f for name, f in frames.items() if isinstance(f, str)}
    assert broken == {}
    too_big = {
        name: (x, y, w, h, inner)
        for name, (x, y, w, h, inner) in frames.items()
        if min(x, y) < 0 or x + w > 1366 or y + h > 768 or inner > 768 - FRAME_HEIGHT
    }
    assert too_big == {}  # room left for a real title bar as well
    assert frames["PrintPreviewDialog"][3] <= 768  # was a fixed 960×1000


def test_every_sized_dialog_goes_through_the_geometry_helper() -> None:
    """No dialog or widget sets a fixed window size of its own (it would not fit small screens)."""
    offenders = []
    for path in [
        *(ROOT / "ui" / "dialogs").rglob("*.py"),
        *(ROOT / "ui" / "widgets").rglob("*.py"),
    ]:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            text = line.strip()
            if (
                text.startswith(("self.resize(", "self.setMinimumSize("))
                and "diagram" not in path.name
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{n}")
    assert offenders == []


def test_file_dialogs_remember_their_folder_per_purpose(
    tmp_path: Path, monkeypatch: object
) -> None:
    from PySide6.QtWidgets import QFileDialog

    store: dict[str, object] = {}
    monkeypatch.setattr(files, "memory", files.FolderMemory(store))  # type: ignore[attr-defined]
    exports, backups = tmp_path / "导出", tmp_path / "备份"
    exports.mkdir()
    backups.mkdir()
    offered: list[str] = []

    def save(_parent: object, _caption: str, start: str, _filters: str) -> tuple[str, str]:
        offered.append(start)
        return str(exports / "客户名单.xlsx"), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)  # type: ignore[attr-defined]
    monkeypatch.setattr(  # type: ignore[attr-defined]
        QFileDialog,
        "getExistingDirectory",
        lambda _p, _c, start: offered.append(start) or str(backups),
    )
    assert files.save_file_name(None, "export", "导出到", "客户名单.xlsx") == str(
        exports / "客户名单.xlsx"
    )
    assert files.existing_directory(None, "backup", "选择备份文件夹") == str(backups)
    # next time each purpose starts in its own folder; only folders are kept, never file names
    files.save_file_name(None, "export", "导出到", "档案清单.pdf")
    files.existing_directory(None, "backup", "选择备份文件夹")
    assert offered[2] == str(exports / "档案清单.pdf")
    assert offered[3] == str(backups)
    assert store == {"folders/export": str(exports), "folders/backup": str(backups)}
    # a folder that is gone falls back to the documents folder
    store["folders/export"] = str(tmp_path / "gone")
    assert files.memory.folder("export") != str(tmp_path / "gone")


def test_the_id_error_is_cleared_when_the_number_is_corrected(
    qtbot: QtBot, archivist: SignedIn, clock: FixedClock
) -> None:
    from app.services.customers import register_customer

    dialog = CustomerFormDialog(
        None,
        register=lambda d: register_customer(session=archivist, draft=d, clock=clock),
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name.setText("张三丰")
    dialog.id_number.setText(VALID_ID[:-1] + "1")  # wrong check character
    dialog.gender.setCurrentIndex(dialog.gender.findData("male"))  # the ID says female
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.errors.text("id_number").startswith("证件号码")
    dialog.id_number.setText(VALID_ID)
    assert dialog.errors.text("id_number") == ""
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.errors.text("gender")  # 性别 does not match the corrected number
    dialog.id_number.setText(VALID_ID[:-1])  # editing the number clears that message too
    assert dialog.errors.text("gender") == ""


def test_the_volume_form_shows_the_note_sheet_rules_under_the_fields(
    qtbot: QtBot, archivist: SignedIn, clock: FixedClock
) -> None:
    from app.services.catalogue import create_volume
    from tests.integration.test_catalogue import customer

    cid = customer(archivist, clock)

    def submit(d: VolumeFormDialog) -> object:
        return create_volume(session=archivist, draft=d.draft(cid), clock=clock)

    dialog = VolumeFormDialog(None, clock.now().date(), submit)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.title_edit.setText("张三丰2026年度客户档案")
    dialog.compiled_by.setText("李秀英")
    dialog.notes.setPlainText("无")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.isVisible()
    assert dialog.errors.text("checked_by") == "检查人：不能为空"
    assert "不能为空或只写“无”" in dialog.errors.text("notes")
    dialog.checked_by.setText("赵磊")
    assert dialog.errors.text("checked_by") == ""
    dialog.notes.setPlainText("原件齐全")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert not dialog.isVisible() and dialog.result_value is not None


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing")  # its popup
def test_a_volume_s_customer_is_picked_by_name_pinyin_or_number(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    from app.demo import DEMO_PASSWORD
    from app.services.customers import search_customers

    clock = FixedClock()
    session = sign_in(location=demo_copy, username="archivist", password=DEMO_PASSWORD, clock=clock)

    def find(text: str) -> list[tuple[str, str]]:
        rows = search_customers(session=session, query=text, clock=clock, limit=12).rows
        return [(r.number, r.name) for r in rows]

    dialog = VolumeFormDialog(None, clock.now().date(), lambda _d: None, find)
    qtbot.addWidget(dialog)
    dialog.show()
    first = find("KH00000001")[0]  # names are masked for this role: 石**
    typed = first[0].lower()  # a whole number: no list in the way of Enter, it files directly
    dialog.customer.setText(typed)
    dialog.customer.textEdited.emit(typed)  # as when typed (setText emits no textEdited)
    assert dialog.customer_choices.stringList() == []
    assert dialog.customer_code() == typed
    pinyin = next(q for q in ("zhang", "wang", "li", "chen", "liu", "shi") if find(q))
    dialog.customer.setText(pinyin)
    dialog.customer.textEdited.emit(pinyin)
    offered = dialog.customer_choices.stringList()
    assert offered and all(line.startswith("KH") for line in offered)
    dialog.pick_customer(offered[0])
    qtbot.waitUntil(lambda: dialog.customer.text() == offered[0].split()[0])
    assert dialog.customer_code() == offered[0].split()[0]
    sign_out(session=session, clock=clock)
