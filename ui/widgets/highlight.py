"""Search hit highlighting in list cells: the matched part bold on a yellow background.

``highlight_ranges`` decides what matched (pure, unit-tested); ``HighlightDelegate`` paints it.
A query matches a cell's text as a case-insensitive substring; failing that, a query of Latin
letters is read as pinyin (``zs``, ``zhangsan``, ``zhangs``) and matches the run of Chinese
characters whose syllables or initials spell it, as the index does (``app/domain/pinyin.py``).
Masked characters (``*``) are never highlighted: a pinyin match that reaches one stops there,
since what the mask hides may well hold the rest of the query.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.domain.pinyin import char_readings
from app.security.masking import MASK

HIT_BACKGROUND = QColor("#ffe066")
HIT_TEXT = QColor("#000000")


def _pinyin_end(readings: list[tuple[str, ...] | None], pos: int, query: str) -> int | None:
    """End (exclusive) of a match of ``query`` starting at character ``pos``, or None."""
    if not query:
        return pos
    if pos >= len(readings):
        return None
    options = readings[pos]
    if options is None:  # a masked character: it may hold the rest, show what matched so far
        return pos
    for reading in options:
        if not reading:  # white space: skipped
            return _pinyin_end(readings, pos + 1, query)
        if reading.startswith(query):  # the last syllable, typed in full or in part
            return pos + 1
        if query.startswith(reading):
            end = _pinyin_end(readings, pos + 1, query[len(reading) :])
            if end is not None:
                return end
        if query[0] == reading[0]:  # its initial
            end = _pinyin_end(readings, pos + 1, query[1:])
            if end is not None:
                return end
    return None


@lru_cache(maxsize=4096)  # painting asks again for every visible cell on every repaint
def highlight_ranges(text: str, query: str) -> tuple[tuple[int, int], ...]:
    """Return ``(start, length)`` of each part of ``text`` that ``query`` matched, in order."""
    query = query.strip()
    if not query or not text:
        return ()
    folded, wanted = text.casefold(), query.casefold()
    if len(folded) != len(text):  # a character that folds to several: positions would shift
        folded, wanted = text.lower(), query.lower()
    spans: list[tuple[int, int]] = []
    at = folded.find(wanted)
    while at >= 0 and wanted:
        spans.append((at, len(wanted)))
        at = folded.find(wanted, at + len(wanted))
    if spans:
        return tuple(spans)
    letters = "".join(wanted.split())
    if not (letters.isascii() and letters.isalpha()):
        return ()
    readings: list[tuple[str, ...] | None] = [
        None if ch == MASK else r for ch, r in zip(text, char_readings(text), strict=True)
    ]
    pos = 0
    while pos < len(text):
        starts = readings[pos] is not None and not text[pos].isspace()
        end = _pinyin_end(readings, pos, letters) if starts else None
        if end is not None and end > pos:
            spans.append((pos, end - pos))
            pos = end
        else:
            pos += 1
    return tuple(spans)


def segments(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[str, bool]]:
    """Split ``text`` into ``(part, is_hit)`` pieces along ``spans``."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, length in sorted(spans):
        start = max(start, pos)
        end = min(start + length, len(text)) if length > 0 else start
        if start > pos:
            out.append((text[pos:start], False))
        if end > start:
            out.append((text[start:end], True))
        pos = max(pos, end)
    if pos < len(text):
        out.append((text[pos:], False))
    return out


class HighlightDelegate(QStyledItemDelegate):
    """Paints a cell like the default delegate, with the hits of the model's ``highlight``.

    The model provides the query as a ``highlight`` property (``CustomerTableModel``); without
    one, or when nothing matched, the cell is painted by the base class unchanged.
    """

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Background, selection and focus as usual; the text in segments."""
        query = getattr(index.model(), "highlight", "") or ""
        value = index.data(Qt.ItemDataRole.DisplayRole)
        spans = highlight_ranges(str(value), str(query)) if query and value else ()
        if not spans:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect: QRect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
        rect = rect.adjusted(margin, 0, -margin, 0)
        state = opt.state
        group = (
            QPalette.ColorGroup.Normal
            if state & QStyle.StateFlag.State_Enabled
            else QPalette.ColorGroup.Disabled
        )
        if group == QPalette.ColorGroup.Normal and not state & QStyle.StateFlag.State_Active:
            group = QPalette.ColorGroup.Inactive
        selected = bool(state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        plain_color = opt.palette.color(group, role)
        painter.save()
        painter.setClipRect(rect)
        x = rect.left()
        for part, hit in segments(text, spans):
            font = QFont(opt.font)
            font.setBold(hit)
            width = QFontMetrics(font).horizontalAdvance(part)
            part_rect = QRect(x, rect.top(), width, rect.height())
            if hit:
                painter.fillRect(part_rect.adjusted(0, 2, 0, -2), HIT_BACKGROUND)
            painter.setFont(font)
            painter.setPen(HIT_TEXT if hit else plain_color)
            align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
            painter.drawText(part_rect, int(align), part)
            x += width
            if x > rect.right():
                break
        painter.restore()
