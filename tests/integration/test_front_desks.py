"""Three app processes on one database at once (issue 22: several desks).

Each desk lends volumes of the same approved application (they race for the same volumes),
registers customers and files a volume for each. Whatever the interleaving: no volume is lent
twice, no 档号, customer number or loan number is given twice, and the audit chain stays one
line. Runs on SQLite (writers wait for each other) and on PostgreSQL (advisory lock).
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from app.clock import FixedClock
from app.domain.roles import Role
from app.services.audit import verify_audit_chain
from app.services.auth import SignedIn
from app.storage.location import DatabaseLocation
from app.storage.models import Customer, Loan, Volume
from tests.concurrent_desks import FrontDeskResult, database_address, front_desk, run_desks
from tests.factories import PASSWORD, add_user
from tests.loan_helpers import FAST_KDF, approve_all, make_desk, make_volume, staff_application

DESKS = 3
ROUNDS = 4


def test_three_desks_lend_register_and_file_without_duplicates(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    desk = make_desk(admin, location, clock)
    add_user(admin, clock, "wang", [Role.ARCHIVIST], display_name="王窗口", kdf=FAST_KDF)
    try:
        vids = [make_volume(desk("lisi"), clock, items=1)[0] for _ in range(3)]
        app_id = staff_application(desk, vids, kind="loan")
        approve_all(desk, app_id, "info")
    finally:
        desk.close()
    db = database_address(location)
    desks = [
        (d, db, user, PASSWORD, app_id, vids, ROUNDS)
        for d, user in enumerate(("lisi", "wang", "both")[:DESKS], start=1)
    ]
    results: list[FrontDeskResult] = run_desks(front_desk, desks, timeout=600, join=60)
    for r in results:
        assert r.errors == (), r.errors
    lent = Counter(v for r in results for v in r.lent)
    assert sorted(lent) == sorted(vids) and set(lent.values()) == {1}, lent  # each exactly once
    # every desk tried every volume: the ones it did not lend were refused as already out
    assert sum(r.already_out for r in results) == DESKS * len(vids) - len(vids)
    assert sum(r.volumes for r in results) == sum(r.customers for r in results) == DESKS * ROUNDS
    with admin.store.new_session() as s:
        loans = s.execute(select(Loan.volume_id, Loan.number, Loan.state)).all()
        assert Counter(v for v, _n, state in loans if state == "out") == lent
        assert len({n for _v, n, _s in loans}) == len(loans)
        codes = s.scalars(select(Volume.reference_code)).all()
        assert len(set(codes)) == len(codes) == len(vids) + DESKS * ROUNDS
        numbers = s.scalars(select(Customer.number)).all()
        assert len(set(numbers)) == len(numbers)
        assert s.scalar(select(func.count()).select_from(Customer)) == len(vids) + DESKS * ROUNDS
    report = verify_audit_chain(admin.store)
    assert report.ok and report.breaks == []
