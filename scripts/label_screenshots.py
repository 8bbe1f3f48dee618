"""Render label sheets and the calibration page to docs/screenshots, and the 打印标签 dialog.

Run: ``python scripts/label_screenshots.py`` (needs ``pdftoppm`` from poppler-utils; Qt offscreen
unless a display is set).
"""

from __future__ import annotations

from _shot import grab, png, start_app

from app.domain.label_stock import (
    BUILTIN_STOCKS,
    LabelStock,
    builtin_stock,
    validate_stock,
)
from app.printing.labels import (
    LabelContent,
    LabelKind,
    render_calibration,
    render_labels,
)
from ui.dialogs.label_sheet import (
    LabelActions,
    LabelSheetDialog,
    LabelStockDialog,
    SheetMemory,
)


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


def main() -> None:
    app = start_app()
    labels = sample_labels()
    png(render_labels(labels, stock("a4-3x8"), start=4), "labels-a4-3x8", 80)
    png(render_labels(labels, stock("a4-4x10")), "labels-a4-4x10", 80)
    boxes = [x for x in labels if x.kind == LabelKind.BOX_SPINE][:5]
    png(render_labels(boxes, stock("a4-spine-40")), "labels-spine-40", 80)
    png(render_labels(labels[3:4], stock("roll-60x40")), "labels-roll-60x40", 200)
    png(render_calibration(stock("a4-2x7"), start=3), "labels-calibration-a4-2x7", 80)

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
