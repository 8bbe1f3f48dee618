"""Staff rules (R26–R28): agreement and training gaps, filing deadlines, review due dates."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from datetime import date

import app.services
from app.domain.staff import (
    AgreementTerm,
    Gap,
    StaffPolicy,
    StaffState,
    add_months,
    compliance_gaps,
    filing_deadline,
    overdue_filing,
    previous_period,
    review_due,
)
from app.services.compliance import RELEASE_ACTIONS

POLICY = StaffPolicy()  # training every 12 months, 30 days' grace, filing by the 10th


def gaps(
    today: date, *, terms: list[AgreementTerm], trained: date | None
) -> list[tuple[str, bool]]:
    found = compliance_gaps(
        has_person=True,
        state=StaffState.ACTIVE,
        agreements=terms,
        last_training=trained,
        since=date(2025, 1, 1),
        today=today,
        policy=POLICY,
    )
    return [(g.code, g.blocking) for g in found]


def no_person_gaps(transition_until: date | None = None) -> list[Gap]:
    """The gaps of an account with no staff record (no person), on 2026-01-01."""
    return compliance_gaps(
        has_person=False,
        state=None,
        agreements=[],
        last_training=None,
        since=date(2026, 1, 1),
        today=date(2026, 1, 1),
        policy=POLICY,
        transition_until=transition_until,
    )


FOREVER = [AgreementTerm(date(2025, 1, 1), None)]


def test_training_is_due_a_year_later_and_blocks_only_after_the_grace_period() -> None:
    trained = date(2025, 3, 31)
    assert gaps(date(2026, 2, 20), terms=FOREVER, trained=trained) == []
    assert gaps(date(2026, 3, 10), terms=FOREVER, trained=trained) == [("training_soon", False)]
    assert gaps(date(2026, 3, 31), terms=FOREVER, trained=trained) == [("training_due", False)]
    assert gaps(date(2026, 4, 30), terms=FOREVER, trained=trained) == [("training_due", False)]
    assert gaps(date(2026, 5, 1), terms=FOREVER, trained=trained) == [("training_overdue", True)]


def test_a_new_person_has_the_grace_period_to_be_trained() -> None:
    assert gaps(date(2025, 1, 20), terms=FOREVER, trained=None) == [("training_due", False)]
    assert gaps(date(2025, 2, 1), terms=FOREVER, trained=None) == [("training_overdue", True)]


def test_an_agreement_counts_from_signing_to_its_last_day() -> None:
    term = [AgreementTerm(date(2025, 6, 1), date(2026, 5, 31))]
    trained = date(2026, 1, 1)
    assert gaps(date(2025, 5, 31), terms=term, trained=trained)[0] == ("no_agreement", True)
    assert gaps(date(2026, 5, 1), terms=term, trained=trained) == [("agreement_ending", False)]
    assert gaps(date(2026, 5, 31), terms=term, trained=trained) == [("agreement_ending", False)]
    assert gaps(date(2026, 6, 1), terms=term, trained=trained) == [("agreement_expired", True)]
    renewed = [*term, AgreementTerm(date(2026, 5, 20), None)]
    assert gaps(date(2026, 6, 1), terms=renewed, trained=trained) == []


def test_no_person_or_a_person_who_left_is_always_blocked() -> None:
    none = no_person_gaps()
    left = compliance_gaps(
        has_person=True,
        state=StaffState.LEFT,
        agreements=FOREVER,
        last_training=date(2026, 1, 1),
        since=date(2026, 1, 1),
        today=date(2026, 1, 2),
        policy=POLICY,
    )
    assert [(g.code, g.blocking) for g in none + left] == [("no_person", True), ("left", True)]


def test_filing_is_due_by_the_configured_day_of_the_following_month() -> None:
    assert previous_period(date(2026, 1, 5)) == "2025-12"
    assert filing_deadline("2025-12", 10) == date(2026, 1, 10)
    deps = ["客服部", "销售部"]
    assert overdue_filing(deps, set(), date(2026, 1, 10), POLICY) == ("2025-12", [])
    assert overdue_filing(deps, {"销售部"}, date(2026, 1, 11), POLICY) == ("2025-12", ["客服部"])
    late_day = StaffPolicy(filing_day=15)
    assert overdue_filing(deps, set(), date(2026, 1, 11), late_day) == ("2025-12", [])


def test_months_are_calendar_months_and_reviews_follow_the_interval() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert review_due(None, date(2026, 1, 5), POLICY) == date(2026, 7, 5)
    assert review_due(date(2026, 7, 1), date(2026, 1, 5), POLICY) == date(2027, 1, 1)


# Services that write customer data out (PDF, workbook) but are not gated, with the reason.
UNGATED = {
    "app.services.audit.export": "the auditor's trail export (三员, no data role)",
    "app.services.audit.sealing": "the auditor's key sheet: no customer data",
    "app.services.catalogue.export": "a wrapper of exports.export_volumes, which is gated",
    "app.services.statistics.export": "counts and aggregates only, no customer data (R50)",
}


def test_every_module_that_prints_or_exports_asks_the_customer_data_gate() -> None:
    """A new printout or export fails here until its authorize call releases data (R28)."""
    gate = re.compile(
        r"releases=|authorize\([^)]*\"(" + "|".join(re.escape(a) for a in RELEASE_ACTIONS) + r")\""
    )
    missing = []
    for info in pkgutil.walk_packages(app.services.__path__, "app.services."):
        module = importlib.import_module(info.name)
        outputs = [
            name
            for name, fn in inspect.getmembers(module, inspect.isfunction)
            if fn.__module__ == module.__name__
            and (name.endswith(("_pdf", "_xlsx")) or name.startswith(("export_", "print_")))
        ]
        gated = bool(gate.search(inspect.getsource(module)))
        if outputs and module.__name__ not in UNGATED and not gated:
            missing.append(module.__name__)
    assert missing == []


def test_an_upgrade_transition_turns_blocking_gaps_into_dated_warnings_until_it_ends() -> None:
    def with_transition(today: date, until: date, state: StaffState = StaffState.ACTIVE) -> list:  # type: ignore[type-arg]
        return compliance_gaps(
            has_person=True,
            state=state,
            agreements=[],
            last_training=None,
            since=date(2025, 1, 1),
            today=today,
            policy=POLICY,
            transition_until=until,
        )

    until = date(2026, 3, 31)
    during = with_transition(date(2026, 3, 31), until)
    assert [(g.code, g.blocking, g.on) for g in during] == [
        ("no_agreement", False, until),
        ("training_overdue", False, until),
    ]
    assert all("升级过渡期至 2026-03-31" in g.text for g in during)
    after = with_transition(date(2026, 4, 1), until)
    assert [(g.code, g.blocking) for g in after] == [
        ("no_agreement", True),
        ("training_overdue", True),
    ]
    # having left is never softened
    assert [
        (g.code, g.blocking) for g in with_transition(date(2026, 1, 1), until, StaffState.LEFT)
    ] == [("left", True)]
    no_person = no_person_gaps(transition_until=until)
    assert [(g.code, g.blocking) for g in no_person] == [("no_person", False)]
