"""Render the printed forms to docs/screenshots: 卷内目录, 卷内备考表 (pdftoppm) and the preview.

Run: ``python scripts/form_screenshots.py`` (needs ``pdftoppm`` from poppler-utils; Qt offscreen
unless a display is set). The data are invented sample rows, no database is opened.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from _shot import grab, png, start_app

from app.domain.catalogue import Retention, Secrecy, SecrecyLevel
from app.printing.catalogue_forms import (
    ItemLine,
    VolumeCatalogueSheet,
    VolumeNoteSheet,
    render_volume_catalogue,
    render_volume_note_sheet,
)
from tests.catalogue_lines import running_pages
from ui.dialogs.print_preview import PrintPreviewDialog

PRINTED_AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
CONFIDENTIAL = Secrecy(SecrecyLevel.CONFIDENTIAL, 20, date(2025, 3, 1))
KINDS = [
    ("华示贸〔2025〕{n}号", "华东示范贸易有限公司", "年度经销合同（第{n}号）"),
    ("", "上海某某实业有限公司", "关于调整结算账期的函"),
    ("客服〔2025〕{n}号", "客服部", "客户来访登记及处理记录"),
    (
        "HT-2025-{n:04d}",
        "华东示范贸易有限公司法务部",
        "关于华东示范贸易有限公司与上海某某实业有限公司签订年度经销合同补充协议的说明及附件清单",
    ),
    ("", "上海某某实业有限公司", "营业执照及法定代表人身份证明复印件"),
]


def items(count: int) -> list[ItemLine]:
    out = []
    pages = running_pages(1 + (n * 7) % 5 for n in range(1, count + 1))
    for n, (first, last) in enumerate(pages, start=1):
        doc_number, author, title = KINDS[n % len(KINDS)]
        out.append(
            ItemLine(
                seq=n,
                doc_number=doc_number.format(n=n),
                author=author,
                title=title.format(n=n),
                date=date(2025, 1, 6) + timedelta(days=n * 3),
                page_from=first,
                page_to=last,
                remarks="复印件" if n % 5 == 4 else "",
                secrecy=CONFIDENTIAL if n in (7, 19) else Secrecy(),
            )
        )
    return out


def main() -> None:
    start_app()
    lines = items(48)
    heading = {
        "reference_code": "Z001-KH-2025-Y-0007",
        "title": "华东示范贸易有限公司2025年度客户档案（合同、往来函件、身份证明材料）",
        "retention": Retention.PERMANENT,
        "secrecy": CONFIDENTIAL,
        "organisation": "华东示范贸易有限公司",
        "printed_by": "王建国",
        "printed_by_username": "archivist",
        "printed_at": PRINTED_AT,
    }
    catalogue = render_volume_catalogue(VolumeCatalogueSheet(items=lines, **heading))  # type: ignore[arg-type]
    png(catalogue, "form-juannei-mulu", 110)
    note = VolumeNoteSheet(
        notes=(
            "第 4 件为复印件，原件由客户保存，已核对一致。\n"
            "第 19 件定密为机密，保密期限 20 年，定密日期 2025 年 3 月 1 日。\n"
            "第 27 件原件第 3 页有涂改，已由经办人签注说明。"
        ),
        compiled_by="李文",
        checked_by="张敏",
        compiled_on=date(2026, 1, 4),
        item_count=len(lines),
        page_count=(lines[-1].page_to or 0),
        latest_item_date=max(i.date for i in lines if i.date),
        **heading,  # type: ignore[arg-type]
    )
    png(render_volume_note_sheet(note), "form-beikao", 110)

    dialog = PrintPreviewDialog("卷内目录 Z001-KH-2025-Y-0007", catalogue)
    dialog.resize(900, 760)
    dialog.show()
    dialog.go_to(1)
    grab(dialog, "print-preview")
    dialog.close()


if __name__ == "__main__":
    main()
