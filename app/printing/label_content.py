"""What a label says (R24, R17): the content of box spine, volume and shelf labels.

No title and no personal data on any label (see ``app.printing.labels``): ``extra_lines`` carry
codes and counts only. Rendering is in ``app.printing.labels`` and ``app.printing.label_draw``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.domain.enums import LabelledEnum
from app.domain.scan_codes import SEPARATOR, check_character, scan_payload
from app.errors import FieldError, ValidationFailed

MAX_EXTRA_LINES = 3


class LabelKind(LabelledEnum):
    """What a label is stuck on; its label is the caption printed at the label's top."""

    BOX_SPINE = "box_spine", "档案盒"  # 档案盒脊背
    VOLUME = "volume", "案卷"
    SHELF = "shelf", "存放位置"  # 架位 (a location)


KIND_CAPTIONS = LabelKind.labels()


@dataclass(frozen=True)
class LabelContent:
    """What one label shows; no names, no titles (see the module docstring).

    Attributes:
        kind: box spine, volume or shelf label.
        code: the 档号, box code or location code (as stored; the QR holds its scan form).
        year: 年度 (box and volume labels), None when not applicable.
        retention_label: 保管期限 as printed (``永久``, ``定期30年``), or empty.
        secrecy_mark: ``Secrecy.marking()`` (``秘密``, ``机密★20年``), empty when unclassified.
        location_code: where the box or volume sits (``K1-03-A-2-4``), or empty.
        extra_lines: up to three short lines of codes or counts; never personal data.
    """

    kind: LabelKind
    code: str
    year: int | None = None
    retention_label: str = ""
    secrecy_mark: str = ""
    location_code: str = ""
    extra_lines: tuple[str, ...] = ()

    @property
    def readable_code(self) -> str:
        """The code with its check character, as printed: ``Z001-KH·2024-Y-0001*H``."""
        return f"{self.code}{SEPARATOR}{check_character(self.code)}"


def check_labels(labels: Sequence[LabelContent]) -> None:
    """Refuse an empty list, a code no scanner can type, or too many extra lines."""
    errors: list[FieldError] = []
    if not labels:
        errors.append(FieldError("labels", "labels_empty"))
    for number, label in enumerate(labels):
        try:
            scan_payload(label.code)
        except ValueError:
            errors.append(FieldError(f"labels.{number}", "scan_chars", {"code": label.code}))
        if len(label.extra_lines) > MAX_EXTRA_LINES:
            errors.append(FieldError(f"labels.{number}", "extra_lines", {"max": MAX_EXTRA_LINES}))
    if errors:
        raise ValidationFailed(errors)


# --- building labels from what the caller has -------------------------------------------------
_LEVEL_ORDER = ("绝密", "机密", "秘密")  # strongest first


_RETENTION_ORDER = ("永久", "定期30年", "定期10年")  # longest first


def _mark_rank(mark: str) -> tuple[int, int]:
    """(level, term) of a marking such as ``机密★20年`` for comparison; (0, 0) when empty."""
    for position, level in enumerate(_LEVEL_ORDER):
        if mark.startswith(level):
            digits = "".join(ch for ch in mark.partition("★")[2] if ch.isdigit())
            return len(_LEVEL_ORDER) - position, int(digits) if digits else 0
    return 0, 0


def box_label(
    code: str, volumes: Sequence[LabelContent], *, location_code: str = ""
) -> LabelContent:
    """The spine label of box ``code`` from the labels of the volumes it holds (R17, R24).

    The box shows the strongest secrecy mark inside it (a 机密 volume makes it a 机密 box),
    the longest retention, the year or the span of years, the number of volumes and the first
    and last 档号 (起止档号 of DA/T 22-2015's 盒脊). Nothing else: no title of any volume.
    """
    marks = [v.secrecy_mark for v in volumes if v.secrecy_mark]
    mark = max(marks, key=_mark_rank, default="")
    years = sorted({v.year for v in volumes if v.year is not None})
    kept = [v.retention_label for v in volumes if v.retention_label]
    retention = min(
        kept,
        key=lambda r: _RETENTION_ORDER.index(r) if r in _RETENTION_ORDER else -1,
        default="",
    )
    count = f"盒内 {len(volumes)} 卷"
    if len(years) > 1:
        count += f"，{years[0]}–{years[-1]}年"
    extra = [count]
    if volumes:
        extra.append(f"起 {volumes[0].code}")
    if len(volumes) > 1:
        extra.append(f"止 {volumes[-1].code}")
    return LabelContent(
        kind=LabelKind.BOX_SPINE,
        code=code,
        year=years[0] if len(years) == 1 else None,
        retention_label=retention,
        secrecy_mark=mark,
        location_code=location_code,
        extra_lines=tuple(extra[:MAX_EXTRA_LINES]),
    )


def location_label(code: str, *, secure: bool = False, capacity: int | None = None) -> LabelContent:
    """The shelf label of location ``code`` (a 位, 层 or cabinet); secure ones say so (R22).

    The custodian's name is not printed: a label is read by anyone passing by.
    """
    extra: list[str] = []
    if secure:
        extra.append("涉密专柜 · 专人管理")
    if capacity is not None:
        extra.append(f"容量 {capacity} 盒")
    return LabelContent(kind=LabelKind.SHELF, code=code, extra_lines=tuple(extra))
