"""Nobody clears a flag that stems from their own action (issue 23): an approver who imported
customers may not clear the 疑似重复 flag the import raised; another approver may."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.clock import FixedClock
from app.domain.roles import ApproverTitle, Role
from app.errors import ValidationFailed
from app.services import imports
from app.services.auth import SignedIn, sign_out
from app.services.customers import (
    clear_duplicate_flag,
    list_duplicate_flags,
    register_customer,
)
from app.storage.location import DatabaseLocation
from tests.factories import PASSWORD, person, sign_in_as, signed_in
from tests.import_helpers import import_rows
from tests.ledgers import resident_id, write_customer_xlsx


def test_an_importer_cannot_clear_the_duplicate_flag_of_their_own_import(
    admin: SignedIn, location: DatabaseLocation, clock: FixedClock, tmp_path: Path
) -> None:
    archivist = sign_in_as(admin, location, clock, "lisi", [Role.ARCHIVIST])
    register_customer(session=archivist, draft=person(), clock=clock)  # phone 138 1234 5678
    sign_out(session=archivist, clock=clock)
    manager = sign_in_as(
        admin, location, clock, "manager", [Role.APPROVER], ApproverTitle.CS_MANAGER
    )
    sign_out(session=manager, clock=clock)
    both = sign_in_as(
        admin, location, clock, "both", [Role.ARCHIVIST, Role.APPROVER], ApproverTitle.CS_MANAGER
    )
    try:
        rows: list[list[object]] = [[1, "冯共用", "个人", resident_id(77), "138 1234 5678"]]
        ledger = imports.load_ledger(
            write_customer_xlsx(tmp_path / "l.xlsx", rows), kind="customers"
        )
        mapping, _ = imports.guess_columns(
            session=both, kind="customers", ledger=ledger, clock=clock
        )
        summary = import_rows(
            both, clock, "customers", ledger, mapping, mode=imports.ImportMode.ALL_OR_NOTHING
        )
        assert summary.flagged == 1
        [flag] = list_duplicate_flags(session=both, clock=clock)
        with pytest.raises(ValidationFailed) as info:
            clear_duplicate_flag(session=both, flag_id=flag.id, note="不是同一人", clock=clock)
        assert [e.reason for e in info.value.errors] == ["own_entry"]
    finally:
        sign_out(session=both, clock=clock)
    with signed_in(location, "manager", PASSWORD, clock) as other:
        clear_duplicate_flag(
            session=other, flag_id=flag.id, note="核对证件，不是同一人", clock=clock
        )
        assert list_duplicate_flags(session=other, clock=clock) == []
