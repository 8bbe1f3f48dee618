"""Storage locations (R20–R22): the location tree, its codes, batch ranges and walking order.

The tree is 库房 → 密集架 → 列 → 面 → 节 → 层 → 位, or 库房 → 柜 → 节 → 层 → 位 (a cabinet has
one face). Boxes sit in a 层 (or, where a 层 is divided, in a 位). Pure rules; the services
apply them inside their transactions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from app.errors import FieldError


class LocationKind(StrEnum):
    """A level of the location tree."""

    STOREROOM = "storeroom"  # 库房
    SHELF = "shelf"  # 密集架
    COLUMN = "column"  # 列
    FACE = "face"  # 面 (A/B)
    CABINET = "cabinet"  # 柜: 保险柜 / 涉密专柜 / 档案柜
    SECTION = "section"  # 节
    LAYER = "layer"  # 层 (1 is the top one)
    POSITION = "position"  # 位


KIND_LABELS = {
    LocationKind.STOREROOM: "库房",
    LocationKind.SHELF: "密集架",
    LocationKind.COLUMN: "列",
    LocationKind.FACE: "面",
    LocationKind.CABINET: "柜",
    LocationKind.SECTION: "节",
    LocationKind.LAYER: "层",
    LocationKind.POSITION: "位",
}

# Which kind may hang below which.
PARENT_KINDS: dict[LocationKind, frozenset[LocationKind | None]] = {
    LocationKind.STOREROOM: frozenset({None}),
    LocationKind.SHELF: frozenset({LocationKind.STOREROOM}),
    LocationKind.CABINET: frozenset({LocationKind.STOREROOM}),
    LocationKind.COLUMN: frozenset({LocationKind.SHELF}),
    LocationKind.FACE: frozenset({LocationKind.COLUMN}),
    LocationKind.SECTION: frozenset({LocationKind.FACE, LocationKind.CABINET}),
    LocationKind.LAYER: frozenset({LocationKind.SECTION}),
    LocationKind.POSITION: frozenset({LocationKind.LAYER}),
}

# Kinds a box can stand in (a 层 without 位, or a 位).
SLOT_KINDS = frozenset({LocationKind.LAYER, LocationKind.POSITION})
# Kinds the shelf map shows as one grid of 节 × 层.
GRID_KINDS = frozenset({LocationKind.FACE, LocationKind.CABINET})


class ShelvingOrder(StrEnum):
    """How the next free place is chosen inside one face or cabinet (R21)."""

    # 节 from left to right; inside each 节 from the top 层 down (the usual 密集架 practice).
    SECTION_FIRST = "section_first"
    # 层 from the top down; along each 层 from the left 节 to the right (like reading a page).
    LAYER_FIRST = "layer_first"


ORDER_LABELS = {
    ShelvingOrder.SECTION_FIRST: "按节：每节自上而下，再从左到右",
    ShelvingOrder.LAYER_FIRST: "按层：每层从左到右，再自上而下",
}

# --- codes ---------------------------------------------------------------------------------
# A code pattern names each level's segment; the code of a node is the pattern cut after its
# own segment, so ``K1-03-A-2-4`` is 库房 K1, 列 03, 面 A, 节 2, 层 4.
SHELF_FIELDS = ("room", "shelf", "column", "face", "section", "layer", "position")
CABINET_FIELDS = ("room", "cabinet", "section", "layer", "position")
DEFAULT_SHELF_PATTERN = "{room}-{column:2}-{face}-{section}-{layer}-{position}"
DEFAULT_CABINET_PATTERN = "{room}-{cabinet}-{section}-{layer}-{position}"
_TOKEN = re.compile(r"\{(\w+)(?::(\d))?\}")
_SEGMENT = re.compile(r"[A-Z0-9]{1,12}")
_LITERAL = re.compile(r"[-./_A-Z0-9]*")

FIELD_OF_KIND = {
    LocationKind.STOREROOM: "room",
    LocationKind.SHELF: "shelf",
    LocationKind.COLUMN: "column",
    LocationKind.FACE: "face",
    LocationKind.CABINET: "cabinet",
    LocationKind.SECTION: "section",
    LocationKind.LAYER: "layer",
    LocationKind.POSITION: "position",
}


def check_code_pattern(pattern: str, *, cabinet: bool, field: str) -> list[FieldError]:
    """Errors of a location code pattern (empty when usable)."""
    fields = CABINET_FIELDS if cabinet else SHELF_FIELDS
    expected = DEFAULT_CABINET_PATTERN if cabinet else DEFAULT_SHELF_PATTERN
    if not pattern.strip():
        return [FieldError(field, "required")]
    tokens = [m.group(1) for m in _TOKEN.finditer(pattern)]
    literals = _TOKEN.sub("", pattern)
    if (
        any(t not in fields for t in tokens)
        or len(set(tokens)) != len(tokens)
        or not _LITERAL.fullmatch(literals.upper())
        or "{" in literals
        or "}" in literals
    ):
        return [FieldError(field, "format", {"expected": "如 " + expected})]
    # the segments must come in tree order, and every level below 库房 must be named
    # except 密集架 (columns are usually numbered through a room)
    required = [f for f in fields if f not in ("shelf",)]
    if [t for t in tokens if t != "shelf"] != required:
        return [FieldError(field, "format", {"expected": "如 " + expected})]
    return []


def segment_text(value: str, width: int | None) -> str:
    """A segment as it appears in a code (numbers zero-padded to ``width``)."""
    if width and value.isdigit():
        return value.zfill(width)
    return value


def code_for(pattern: str, segments: dict[str, str], upto: str) -> str:
    """The code of a node whose path has ``segments``, cut after the segment ``upto``.

    Literal text between two segments belongs to the later one, so a cut code never ends in
    a separator.
    """
    out: list[str] = []
    pos = 0
    for match in _TOKEN.finditer(pattern):
        name, width = match.group(1), match.group(2)
        lead = pattern[pos : match.start()]
        pos = match.end()
        if name not in segments:
            continue  # e.g. {shelf} in the pattern of a cabinet-less path: skip
        out.append(lead if out else lead.lstrip("-./_"))
        out.append(segment_text(segments[name], int(width) if width else None))
        if name == upto:
            break
    return "".join(out).upper()


def check_segment(value: str, field: str) -> list[FieldError]:
    """Errors of one code segment (letters and digits, 1–12 characters)."""
    if not _SEGMENT.fullmatch(value.strip().upper()):
        return [FieldError(field, "format", {"expected": "1–12 位字母或数字，如 K1、03、A"})]
    return []


# --- batch ranges ---------------------------------------------------------------------------
def parse_range(text: str, field: str, *, limit: int = 99) -> tuple[list[int], list[FieldError]]:
    """``1-12``, ``1–12``, ``3`` or ``1,3,5-7`` → sorted numbers; errors name ``field``."""
    # the dashes and commas people type: full-width, en/em dash, minus sign, tilde, 至
    cleaned = text.strip().translate(str.maketrans("，、－–—−～~至", ",,-------"))
    if not cleaned:
        return [], [FieldError(field, "required")]
    numbers: set[int] = set()
    for part in cleaned.split(","):
        part = part.strip()
        m = re.fullmatch(r"(\d{1,3})\s*(?:-\s*(\d{1,3}))?", part)
        if m is None:
            return [], [FieldError(field, "format", {"expected": "如 1-12 或 1,3,5"})]
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else lo
        if lo < 1 or hi < lo or hi > limit:
            return [], [FieldError(field, "range", {"min": 1, "max": limit})]
        numbers.update(range(lo, hi + 1))
    return sorted(numbers), []


def parse_faces(text: str, field: str = "faces") -> tuple[list[str], list[FieldError]]:
    """``A/B``, ``AB``, ``A`` → faces in order."""
    letters = [c for c in text.upper() if c.isalpha()]
    if not letters or any(c not in "AB" for c in letters) or len(set(letters)) != len(letters):
        return [], [FieldError(field, "format", {"expected": "A、B 或 A/B"})]
    return sorted(letters), []


@dataclass(frozen=True)
class HandoverLine:
    """One line of a custody hand-over list (位置, 盒号, 档号, 密级, 件数, 页数; R26).

    ``restricted``: above the reader's clearance: place, box and 档号 only (密级 ``受限``).
    """

    location_code: str
    box_code: str
    reference_code: str
    secrecy_label: str
    items: int
    pages: int
    restricted: bool = False

    def hidden(self) -> HandoverLine:
        """The line as a reader without the clearance sees it."""
        return replace(self, secrecy_label="", items=0, pages=0, restricted=True)


@dataclass(frozen=True)
class PlannedNode:
    """One node a batch would create."""

    kind: LocationKind
    code: str
    name: str
    parent_code: str | None
    ordinal: int
    capacity: int | None


def walking_key(
    order: ShelvingOrder, section: int, layer: int, position: int = 0
) -> tuple[int, int, int]:
    """Sort key of a place inside one face or cabinet (R21)."""
    if order is ShelvingOrder.SECTION_FIRST:
        return (section, layer, position)
    return (layer, section, position)


def fill_label(count: int, capacity: int | None) -> str:
    """``3/6`` or ``3`` when the place has no set capacity."""
    return f"{count}/{capacity}" if capacity else str(count)


def first_free(
    places: Sequence[tuple[object, int, int | None]],
) -> object | None:
    """The first ``(place, used, capacity)`` with room left, in the given order."""
    for place, used, capacity in places:
        if capacity is None or used < capacity:
            return place
    return None


def duplicates(codes: Iterable[str]) -> list[str]:
    """Codes that occur more than once."""
    seen: set[str] = set()
    twice: list[str] = []
    for code in codes:
        if code in seen and code not in twice:
            twice.append(code)
        seen.add(code)
    return twice
