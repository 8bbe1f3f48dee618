"""Migration 0017 (issue 18): the tables match the models; existing customers get an entry."""

from __future__ import annotations

from datetime import date

from alembic import command
from sqlalchemy import inspect, text

from app.clock import FixedClock
from app.services import privacy
from app.services.auth import SignedIn
from app.services.customers import register_customer
from app.storage import migrate
from tests.factories import person, prospect
from tests.migration_helpers import assert_tables_match_models

TABLES = {
    "customer_consent",
    "consent_purpose",
    "erasure_request",
    "subject_request",
    "data_recipient",
    "data_provision",
}


def test_the_privacy_tables_have_the_columns_of_the_models(admin: SignedIn) -> None:
    assert_tables_match_models(admin, TABLES | {"customer"})


def test_upgrading_gives_existing_customers_their_old_consent_or_an_assumed_basis(
    admin: SignedIn, archivist: SignedIn, clock: FixedClock
) -> None:
    legacy = person(
        legal_basis="",
        consent_date=date(2025, 3, 1),
        consent_purpose="签订服务合同",
        consent_until=date(2030, 2, 28),
        consent_method="电子签名",
    )
    old = register_customer(session=archivist, draft=legacy, clock=clock).customer_id
    plain = register_customer(
        session=archivist, draft=prospect("王五", "13912345678"), clock=clock
    ).customer_id
    engine = archivist.store.engine
    cfg = migrate._config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0016")
    with engine.connect() as conn:
        assert not TABLES & set(inspect(conn).get_table_names())
    assert migrate.upgrade(engine) is True
    rows = {
        r.kind: r
        for cid in (old, plain)
        for r in privacy.list_consents(session=archivist, customer_id=cid, clock=clock)
    }
    consent, basis = rows["consent"], rows["basis"]
    assert (consent.method, consent.given_on, consent.valid_until, consent.note) == (
        "electronic",
        date(2025, 3, 1),
        date(2030, 2, 28),
        "签订服务合同",
    )
    assert [p.purpose for p in consent.purposes] == ["合同履行", "客户服务"]
    assert (basis.basis, basis.given_on) == ("合同必需", date(2026, 1, 5))
    with engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.HEAD
        assumed = conn.scalar(
            text("SELECT value FROM setting WHERE key = 'migration_0017_assumed_basis'")
        )
    assert assumed == "1"
