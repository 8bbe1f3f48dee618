"""Render label sheets and the calibration page to docs/screenshots, and the 打印标签 dialog.

Run: ``python scripts/label_screenshots.py`` (needs ``pdftoppm`` from poppler-utils; Qt offscreen
unless a display is set).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.domain.label_stock import (  # noqa: E402
    BUILTIN_STOCKS,
    LabelStock,
    builtin_stock,
    validate_stock,
)
from app.printing.labels import (  # noqa: E402
    LabelContent,
    LabelKind,
    render_calibration,
    render_labels,
)
from ui.app import prepare_application  # noqa: E402
from ui.dialogs.label_sheet import (  # noqa: E402
    LabelActions,
    LabelSheetDialog,
    LabelStockDialog,
    SheetMemory,
)

OUT = ROOT / "docs" / "screenshots"


def stock(key: str) -> LabelStock:
    found = builtin_stock(key)
    assert found is not None
    return found


def sample_labels() -> list[LabelContent]:
    """Volume, box and shelf labels as the services make them (no titles, no names)."""
    out: list[LabelContent] = []
    for n in range(1, 25):
        if n % 3 == 0:
            out.append(LabelContent(LabelKind.SHELF, f"K1-{n // 3:02d}-A-{n % 5 + 1}-{n % 6 + 1}"))
        elif n % 3 == 1:
            out.append(
                LabelContent(
                    LabelKind.BOX_SPINE,
                    f"H-2024-{n:03d}",
                    2024,
                    "永久",
                    "机密★20年" if n == 4 else "",
                    "K1-03-A-2-4",
                    ("盒内 12 卷",),
                )
            )
        else:
            out.append(
                LabelContent(
                    LabelKind.VOLUME,
                    f"Z001-KH·2024-{'D30' if n % 4 == 0 else 'Y'}-{n:04d}",
                    2024,
                    "定期30年" if n % 4 == 0 else "永久",
                    "秘密" if n == 5 else "绝密★30年" if n == 8 else "",
                    "K1-03-A-2-4",
                )
            )
    return out


def png(pdf: bytes, name: str, dpi: int = 80) -> None:
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "labels.pdf"
        source.write_bytes(pdf)
        prefix = OUT / name
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                str(dpi),
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                source,
                prefix,
            ],
            check=True,
        )
    print(prefix.with_suffix(".png").relative_to(ROOT))


def grab(widget: QWidget, name: str) -> None:
    QApplication.processEvents()
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print(path.relative_to(ROOT))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    labels = sample_labels()
    png(render_labels(labels, stock("a4-3x8"), start=4), "labels-a4-3x8", 80)
    png(render_labels(labels, stock("a4-4x10")), "labels-a4-4x10", 80)
    boxes = [x for x in labels if x.kind == LabelKind.BOX_SPINE][:5]
    png(render_labels(boxes, stock("a4-spine-40")), "labels-spine-40", 80)
    png(render_labels(labels[3:4], stock("roll-60x40")), "labels-roll-60x40", 200)
    png(render_calibration(stock("a4-2x7"), start=3), "labels-calibration-a4-2x7", 80)

    app = QApplication(sys.argv)
    prepare_application(app)
    stocks = list(BUILTIN_STOCKS)
    actions = LabelActions(
        list_stocks=lambda: stocks, save_stock=validate_stock, delete_stock=lambda _key: None
    )
    dialog = LabelSheetDialog(None, labels, actions, memory=SheetMemory({}))
    dialog.show()
    dialog.set_start(4)
    grab(dialog, "label-sheet-dialog")
    editor = LabelStockDialog(dialog, stock("a4-3x8"), validate_stock)
    editor.show()
    editor.name_edit.setText("自购 4 列标签")
    editor.columns.setValue(4)
    editor.save()
    grab(editor, "label-stock-dialog-errors")
    del app


if __name__ == "__main__":
    main()
