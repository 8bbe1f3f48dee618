"""Shared set-up of the benchmarks: a fresh database, a shelved room, boxed volumes, a bare PDF."""

from __future__ import annotations

import io
import random
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, text

from app.clock import Clock
from app.domain.roles import Role
from app.services import locations as L
from app.services.auth import SignedIn
from app.services.setup import initialize_database
from app.storage.location import DatabaseLocation
from tests.conftest import make_setup_request
from tests.factories import add_user


def fresh_database(
    folder: Path, clock: Clock, password: str, *staff: tuple[str, Role], name: str = "archive.db"
) -> tuple[DatabaseLocation, SignedIn]:
    """The database in ``folder`` and its administrator signed in; all accounts use ``password``."""
    location = DatabaseLocation.parse(folder / name)
    request = make_setup_request(admin_password=password, admin_password_confirm=password)
    admin = initialize_database(location=location, request=request, clock=clock).session
    for username, role in staff:
        add_user(admin, clock, username, [role], password=password)
    return location, admin


def ms(seconds: float, places: int = 1) -> str:
    """``seconds`` in milliseconds, ``places`` decimals."""
    return f"{seconds * 1000:.{places}f} ms"


def shelve_room(session: SignedIn, clock: Clock, columns: str) -> list[int]:
    """Room K1 with ``columns`` 列 (A/B faces, 10 节, 6 层, 12 boxes a 层); its 层 ids in order."""
    L.create_location_batch(
        session=session,
        spec=L.BatchSpec(
            room="K1", columns=columns, faces="A/B", sections="1-10", layers="1-6", capacity=12
        ),
        clock=clock,
    )
    with session.store.engine.connect() as conn:
        return list(
            conn.execute(
                text("SELECT id FROM storage_location WHERE kind = 'layer' ORDER BY path_key")
            ).scalars()
        )


def box_volumes(
    conn: Connection, volume_ids: list[int], layers: list[int], at: datetime, per_box: int
) -> None:
    """Boxes HB0000000… of ``per_box`` over ``layers`` in turn, the volumes placed in order."""
    boxes = -(-len(volume_ids) // per_box)
    conn.execute(
        text(
            "INSERT INTO archive_box (code, category_code, capacity, location_id, note, "
            "created_at, placed_at, version) VALUES (:c, 'KH', :cap, :loc, '', :at, :at, 1)"
        ),
        [
            {"c": f"HB{n:07d}", "cap": per_box, "loc": layers[n % len(layers)], "at": at}
            for n in range(boxes)
        ],
    )
    box0 = conn.execute(text("SELECT min(id) FROM archive_box WHERE code LIKE 'HB%'")).scalar_one()
    conn.execute(
        text("INSERT INTO volume_place (volume_id, box_id, placed_at) VALUES (:v, :b, :at)"),
        [{"v": v, "b": box0 + n // per_box, "at": at} for n, v in enumerate(volume_ids)],
    )


@dataclass(frozen=True)
class BareLayout:
    """Where a bare PDF draws its texts: rows a page, font size, first row's y, steps, page."""

    per_page: int
    font_size: float
    top: float
    row_step: float
    left: float
    col_step: float
    landscape: bool = False
    clip: int | None = None  # characters of a cell drawn, None: all


def bare_pdf(rows: list[tuple[str, ...]], layout: BareLayout) -> float:
    """Seconds for ReportLab drawing the same texts with ``drawString``, no table, no wrapping."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    from app.printing.base import FONT, register_fonts

    register_fonts()
    size: Any = landscape(A4) if layout.landscape else A4
    start = time.perf_counter()
    canvas = Canvas(io.BytesIO(), pagesize=size, pageCompression=1)
    for n, row in enumerate(rows):
        if n % layout.per_page == 0:
            if n:
                canvas.showPage()
            canvas.setFont(FONT, layout.font_size)
        y = layout.top - (n % layout.per_page) * layout.row_step
        for col, cell in enumerate(row):
            canvas.drawString(layout.left + col * layout.col_step, y, cell[: layout.clip])
    canvas.save()
    return time.perf_counter() - start


T = TypeVar("T")
R = TypeVar("R")


def time_each(fn: Callable[[T], R], items: Iterable[T]) -> tuple[list[R], list[float]]:
    """``fn`` called once per item: its results and the seconds each call took."""
    results, seconds = [], []
    for item in items:
        start = time.perf_counter()
        results.append(fn(item))
        seconds.append(time.perf_counter() - start)
    return results, seconds


def page_count(pdf: bytes) -> int:
    """The pages of a PDF, counted in its bytes (page objects)."""
    return pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page")


def percentiles(values: list[float]) -> tuple[float, float]:
    """The median and the 95th percentile (the nearest rank below) of ``values``."""
    ordered = sorted(values)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def timings(fn: Callable[[str], object], queries: list[str]) -> tuple[float, float]:
    """p50 and p95 in milliseconds of ``fn`` called once per query."""
    _, seconds = time_each(fn, queries)
    return percentiles([s * 1000 for s in seconds])


PINYIN = ["zs", "wang", "lixiu", "zhangwei", "cgf", "szhx", "liu", "chen"] * 3


@dataclass(frozen=True)
class NameQueries:
    """What an operator types into a customer search, drawn from the database's own names."""

    total: int  # customers in the database
    three: list[str]  # 30 prefixes of three characters (or the whole shorter name)
    one_two: list[str]  # 15 of one character and 15 of two
    pinyin: list[str]


def name_queries(session: SignedIn, rng: random.Random) -> NameQueries:
    """Queries from 1,000 customers' names (the same every run), drawn with ``rng``."""
    with session.store.engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM customer")).scalar_one()
        picks = random.Random(7).sample(range(1, total + 1), min(total, 1000))
        names = [
            r[0]
            for r in conn.execute(
                text(f"SELECT name FROM customer WHERE id IN ({', '.join(map(str, picks))})")
            )
        ]
    three = [n[:3] if len(n) >= 3 else n for n in rng.choices(names, k=30)]
    one_two = [n[:1] for n in rng.choices(names, k=15)] + [n[:2] for n in rng.choices(names, k=15)]
    return NameQueries(total, three, one_two, PINYIN)


def print_table(rows: list[tuple[str, str]]) -> None:
    """The figures as a Markdown table for docs/performance.md."""
    print("| measure | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
