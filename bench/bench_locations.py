"""Storage locations on a fresh database: one 密集架 12 列 × 2 面 × 5 节 × 6 层 (capacity 6).

Run: python bench/bench_locations.py [--rounds N] [--profile]
     (prints a Markdown table for docs/performance.md; --profile adds cProfile of one bulk move)

Builds a new encrypted database in a temporary folder, creates the shelf with the batch service
(timed, with its preview), fills it to about 70 % (a few boxes and volumes through the services,
the bulk with direct ORM inserts), then measures, p50/p95 over repeated runs:

* get_shelf_map of one face (the shelf map's data; the goal is the map opening in ≤ 200 ms);
* preview_bulk_move and bulk_move of 500 volumes into boxes (goal ≤ 1 s), and its undo;
* the 排架清单 of one face (rows read and PDF rendered);

beside bare baselines in the same run: the equivalent raw SQL count/group-by of one face, and
a raw DB-API executemany update of 500 volume_place rows in one committed transaction.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select, text

from app.clock import SystemClock
from app.domain.roles import Role
from app.services import locations as L
from app.services.auth import SignedIn, sign_in, sign_out
from app.services.catalogue import ItemDraft, VolumeDraft, add_item, create_volume
from app.services.customers import register_customer
from app.services.locations import printing as P
from app.storage.location import DatabaseLocation
from app.storage.models import ArchiveBox, ReferenceCounter, StorageLocation, Volume, VolumePlace
from bench._setup import fresh_database
from tests.factories import potential

PASSWORD = "Harbor-Own-Pass-1"
SPEC = L.BatchSpec(room="K1", columns="1-12", faces="A/B", sections="1-5", layers="1-6", capacity=6)
FILL = 0.70
VOLUMES_PER_BOX = 3
BOX_CAPACITY = 10
MOVE = 500


def stats(samples: list[float]) -> str:
    """``p50 12.3 ms, p95 15.0 ms`` of samples in seconds."""
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[max(0, round(len(ms) * 0.95) - 1)]
    return f"p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms"


def pages(pdf: bytes) -> int:
    import pypdfium2

    return len(pypdfium2.PdfDocument(pdf))


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def setup(folder: Path, clock: SystemClock) -> tuple[DatabaseLocation, SignedIn]:
    location, admin = fresh_database(folder, clock, PASSWORD, ("lisi", Role.ARCHIVIST))
    sign_out(session=admin, clock=clock)
    return location, sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)


def fill(session: SignedIn, clock: SystemClock) -> dict[str, Any]:
    """About 70 % of the 4,320 places: a few through the services, the rest by ORM inserts."""
    customer = register_customer(session=session, draft=potential(), clock=clock).customer_id
    # through the services: 12 boxes placed by proposal, 12 volumes put into them
    for n in range(12):
        bid = L.create_box(session=session, draft=L.BoxDraft(capacity=BOX_CAPACITY), clock=clock).id
        L.place_box(session=session, box_id=bid, clock=clock)
        vid = create_volume(
            session=session,
            draft=VolumeDraft(customer_id=customer, year=2024, title=f"客户档案{n}", retention="Y"),
            clock=clock,
        ).volume_id
        add_item(
            session=session,
            volume_id=vid,
            draft=ItemDraft(title="合同", page_from=1, page_to=4),
            clock=clock,
        )
        L.put_volume(session=session, volume_id=vid, box_id=bid, clock=clock)
    now = datetime.now(UTC)
    with session.uow(clock) as uow:
        uow.claim_writes()
        slots = list(
            uow.session.scalars(
                select(StorageLocation)
                .where(StorageLocation.capacity.is_not(None), StorageLocation.code.like("K1-%"))
                .order_by(StorageLocation.path_key)
            )
        )
        used = {lid: n for lid, n in L._used(uow, [s.id for s in slots]).items()}
        target = int(sum(s.capacity or 0 for s in slots) * FILL)
        placed = sum(used.values())
        counter = uow.session.get(ReferenceCounter, L.BOX_COUNTER)
        number = counter.last if counter else 0
        boxes: list[ArchiveBox] = []
        # every third place full, the others partly: a realistic, uneven fill
        for i, slot in enumerate(slots):
            want = (slot.capacity or 0) if i % 3 == 0 else (slot.capacity or 0) * 2 // 3
            for _ in range(max(0, want - used.get(slot.id, 0))):
                if placed >= target:
                    break
                number += 1
                placed += 1
                boxes.append(
                    ArchiveBox(
                        code=f"{L.BOX_PREFIX}{number:06d}",
                        category_code="KH",
                        year=2024,
                        retention="Y",
                        capacity=BOX_CAPACITY,
                        location_id=slot.id,
                        note="",
                        created_at=now,
                        placed_at=now,
                        version=1,
                    )
                )
        # 500 more boxes off the shelf, to receive the bulk moves
        spare = []
        for _ in range(MOVE // 5):
            number += 1
            spare.append(
                ArchiveBox(
                    code=f"{L.BOX_PREFIX}{number:06d}",
                    category_code="KH",
                    capacity=BOX_CAPACITY,
                    note="",
                    created_at=now,
                    version=1,
                )
            )
        assert counter is not None
        counter.last = number
        uow.session.add_all(boxes + spare)
        uow.session.flush()
        volumes: list[Volume] = []
        serial = 100_000
        levels = [None] * 17 + ["secret", "secret", "confidential"]  # some must-move cells
        for _box in boxes:
            for _ in range(VOLUMES_PER_BOX):
                serial += 1
                volumes.append(
                    Volume(
                        reference_code=f"Z001-KH·2024-Y-{serial:06d}",
                        customer_id=customer,
                        year=2024,
                        title="客户档案",
                        retention="Y",
                        secrecy_level=levels[serial % len(levels)],
                        created_at=now,
                        item_count=3,
                        page_count=12,
                        version=1,
                    )
                )
        uow.session.add_all(volumes)
        uow.session.flush()
        places = []
        for index, v in enumerate(volumes):
            places.append(
                VolumePlace(
                    volume_id=v.id, box_id=boxes[index // VOLUMES_PER_BOX].id, placed_at=now
                )
            )
        uow.session.add_all(places)
        uow.commit()
        open_volumes = [v.id for v in volumes if v.secrecy_level is None]
        faces = list(
            uow.session.scalars(
                select(StorageLocation.id)
                .where(StorageLocation.kind == "face", StorageLocation.code.like("K1-%"))
                .order_by(StorageLocation.path_key)
            )
        )
        return {
            "boxes": len(boxes) + 12,
            "volumes": len(volumes) + 12,
            "placed": placed,
            "capacity": sum(s.capacity or 0 for s in slots),
            "spare": [b.id for b in spare],
            "movable": open_volumes[:MOVE],
            "faces": faces,
        }


def bare_face_counts(session: SignedIn, face_id: int) -> list[Any]:
    """Baseline: boxes and the highest level per 节 × 层 of a face in one raw query."""
    with session.store.engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT l.section_no, l.layer_no, count(DISTINCT b.id), max(v.secrecy_level) "
                    "FROM storage_location l "
                    "LEFT JOIN archive_box b ON b.location_id = l.id "
                    "LEFT JOIN volume_place p ON p.box_id = b.id "
                    "LEFT JOIN volume v ON v.id = p.volume_id "
                    "WHERE l.grid_id = :g AND l.capacity IS NOT NULL "
                    "GROUP BY l.section_no, l.layer_no"
                ),
                {"g": face_id},
            )
        )


def bare_update(session: SignedIn, rows: list[tuple[int, int]]) -> None:
    """Baseline: a raw executemany update of 500 volume_place rows in one committed transaction.

    The engine's connections are in autocommit mode (SQLAlchemy owns the transactions), so the
    transaction is begun and committed explicitly, with the same fsync as a service's commit.
    """
    raw = session.store.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("BEGIN IMMEDIATE")
        cur.executemany("UPDATE volume_place SET box_id = ? WHERE volume_id = ?", rows)
        cur.execute("COMMIT")
    finally:
        raw.close()


def bare_insert(session: SignedIn, count: int) -> float:
    """Baseline: a raw executemany insert of ``count`` location-like rows, committed."""
    raw = session.store.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(
            "CREATE TABLE IF NOT EXISTS bench_scratch (id INTEGER PRIMARY KEY, parent_id INTEGER,"
            " kind TEXT, code TEXT UNIQUE, name TEXT, path_key TEXT, capacity INTEGER)"
        )
        cur.execute("DELETE FROM bench_scratch")
        rows = [
            (i, i // 6 or None, "layer", f"X-{i:05d}", f"第{i}层", f"{i:04d}", 6)
            for i in range(1, count + 1)
        ]
        start = time.perf_counter()
        cur.execute("BEGIN IMMEDIATE")
        cur.executemany("INSERT INTO bench_scratch VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        cur.execute("COMMIT")
        seconds = time.perf_counter() - start
        cur.execute("DROP TABLE bench_scratch")
        return seconds
    finally:
        raw.close()


def gui_map(location: DatabaseLocation, session: SignedIn, faces: list[int], rounds: int) -> str:
    """Open the shelf map of each face in the real page (offscreen) and paint it."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui.context import AppContext
    from ui.pages.locations import LocationsPage

    app = QApplication.instance() or QApplication([])
    page = LocationsPage(AppContext(location=location, clock=SystemClock()), session)
    page.resize(1280, 800)
    page.show()
    app.processEvents()

    def show(face: int) -> None:
        page.show_location(face)
        app.processEvents()
        page.map.grab()  # paint the grid as the screen would

    show(faces[0])  # warm
    samples = [timed(lambda f=f: show(f))[0] for _ in range(max(1, rounds // 8)) for f in faces]
    page.close()
    return stats(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    clock = SystemClock()
    out: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        location, session = setup(Path(tmp), clock)
        seconds, plan = timed(
            lambda: L.plan_location_batch(session=session, spec=SPEC, clock=clock)
        )
        out.append(
            (f"batch preview of the shelf ({len(plan.new)} places)", f"{seconds * 1000:.0f} ms")
        )
        seconds, created = timed(
            lambda: L.create_location_batch(session=session, spec=SPEC, clock=clock)
        )
        out.append(
            (
                f"batch creation of the shelf ({created} places, one transaction)",
                f"{seconds * 1000:.0f} ms",
            )
        )
        seconds, facts = timed(lambda: fill(session, clock))
        out.append(
            (
                "fill (12 boxes and volumes by the services, the rest by ORM inserts)",
                f"{facts['placed']:,} of {facts['capacity']:,} places "
                f"({facts['boxes']:,} boxes, {facts['volumes']:,} volumes), {seconds:.1f} s",
            )
        )
        bare = [bare_insert(session, created) for _ in range(5)]
        out.append(
            (
                f"bare executemany insert of {created} location-like rows, committed (baseline)",
                stats(bare),
            )
        )
        # the same shelf in three more rooms, for a spread (on a database with 3,000 boxes)
        more = []
        for room in ("K2", "K3", "K4"):
            spec = L.BatchSpec(**{**SPEC.__dict__, "room": room})
            more.append(
                timed(lambda s=spec: L.create_location_batch(session=session, spec=s, clock=clock))[
                    0
                ]
            )
        out.append(
            (
                "batch creation of the same shelf in three more rooms",
                ", ".join(f"{s * 1000:.0f} ms" for s in more),
            )
        )
        faces = facts["faces"]
        k1_faces = faces[:24]
        # shelf map: one face, over every face of K1 in turn
        for face in k1_faces[:2]:
            L.get_shelf_map(session=session, grid_id=face, clock=clock)  # warm
        samples = [
            timed(lambda f=f: L.get_shelf_map(session=session, grid_id=f, clock=clock))[0]
            for _ in range(max(1, args.rounds // 8))
            for f in k1_faces
        ]
        out.append(("get_shelf_map of one face (5 节 × 6 层, service only)", stats(samples)))
        bare = [
            timed(lambda f=f: bare_face_counts(session, f))[0]
            for _ in range(max(1, args.rounds // 8))
            for f in k1_faces
        ]
        out.append(("bare SQL count/group-by of one face (baseline)", stats(bare)))
        out.append(
            (
                "库位 page: select a face → map built and painted",
                gui_map(location, session, k1_faces, args.rounds),
            )
        )
        # shelf list of one face
        samples = [
            timed(lambda: P.shelf_list_pdf(session=session, location_id=k1_faces[0], clock=clock))[
                0
            ]
            for _ in range(max(3, args.rounds // 3))
        ]
        sheet = P.shelf_list_sheet(session=session, location_id=k1_faces[0], clock=clock)
        face_pdf = P.shelf_list_pdf(session=session, location_id=k1_faces[0], clock=clock)
        out.append(
            (
                f"排架清单 of one face ({len(sheet.rows)} rows, {pages(face_pdf)} pages, "
                "read + PDF)",
                stats(samples),
            )
        )
        with session.uow(clock) as uow:
            shelf_id = uow.session.scalar(
                select(StorageLocation.id).where(StorageLocation.kind == "shelf")
            )
        seconds, pdf = timed(
            lambda: P.shelf_list_pdf(session=session, location_id=shelf_id, clock=clock)
        )
        out.append(
            (
                "排架清单 of the whole 密集架 (every volume, one run)",
                f"{seconds:.1f} s ({pages(pdf)} pages, {len(pdf) / 1024 / 1024:.1f} MiB)",
            )
        )
        # bulk moves: 500 open volumes into the spare boxes, then undo, repeated
        spare = facts["spare"]
        movable = facts["movable"]
        requests = [
            L.MoveRequest(L.Target.VOLUME, vid, to_box_id=spare[i // 5])
            for i, vid in enumerate(movable)
        ]
        previews, moves, undos = [], [], []
        for _ in range(args.rounds):
            seconds, preview = timed(
                lambda: L.preview_bulk_move(session=session, requests=requests, clock=clock)
            )
            assert preview.ok, preview.problems
            previews.append(seconds)
            moves.append(
                timed(lambda: L.bulk_move(session=session, requests=requests, clock=clock))[0]
            )
            undos.append(timed(lambda: L.undo_last_bulk_move(session=session, clock=clock))[0])
        out.append((f"preview_bulk_move of {MOVE} volumes into boxes", stats(previews)))
        out.append(
            (f"bulk_move of {MOVE} volumes into boxes (all or nothing, logged)", stats(moves))
        )
        out.append((f"undo of that bulk move ({MOVE} volumes back)", stats(undos)))
        if args.profile:
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.enable()
            L.bulk_move(session=session, requests=requests, clock=clock)
            profile.disable()
            L.undo_last_bulk_move(session=session, clock=clock)
            pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
        with session.store.engine.connect() as conn:
            home = dict(
                conn.execute(
                    text(
                        "SELECT volume_id, box_id FROM volume_place WHERE volume_id IN ("
                        + ",".join(map(str, movable))
                        + ")"
                    )
                ).all()
            )
        there = [(spare[i // 5], vid) for i, vid in enumerate(movable)]
        back = [(home[vid], vid) for vid in movable]
        bare = []
        for _ in range(args.rounds):
            bare.append(timed(lambda: bare_update(session, there))[0])
            bare_update(session, back)
        out.append(
            (
                f"bare executemany update of {MOVE} volume_place rows, committed (baseline)",
                stats(bare),
            )
        )
        sign_out(session=session, clock=clock)
        del location
    print("| measure | result |\n|---|---|")
    for name, value in out:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
