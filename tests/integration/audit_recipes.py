"""How to call each write service so that the audit-coverage test can watch it write its entry.

Adding a service under ``app/services/`` that takes a ``clock`` makes
``test_audit_coverage.py`` fail until it is listed here, either

* with a **recipe**: a function taking the shared :class:`World`, registered with
  ``@recipe("app.services.<module>.<function>", action="<audit action it must write>")``,
  that sets up what it needs (``world.customer()``, ``world.volume()``, ``world.item()`` …) and
  calls the service once; or
* in :data:`READ_ONLY` with the reason it writes nothing (queries not named ``list_``/``get_``/
  ``search_``, renderers whose output is audited by another call).

Recipes share one database per test module, so they make their own objects and never rely on
another recipe having run.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from app.clock import FixedClock
from app.domain.roles import ApproverTitle, Role
from app.services import (
    auth,
    catalogue,
    customers,
    incidents,
    settings,
    setup,
    users,
)
from app.services import catalogue as catalogue_export
from app.services import catalogue as catalogue_print
from app.services import catalogue as item_files
from app.services import customers as customer_edits
from app.services.auth import SignedIn
from app.services.imports import Ledger
from app.services.incidents import IncidentDraft
from app.storage.location import DatabaseLocation
from tests.conftest import ADMIN_PASSWORD
from tests.factories import PASSWORD, add_user, potential
from tests.import_helpers import import_rows, mapped_ledger

# A recipe calls its service once. It returns None when the entry is in the world's database,
# or the actions it read from another database it made (setup).
Recipe = Callable[["World"], list[str] | None]


@dataclass
class World:
    """One database with a user of each role, shared by the recipes of a test module."""

    folder: Path
    location: DatabaseLocation
    clock: FixedClock
    admin: SignedIn
    archivist: SignedIn
    manager: SignedIn  # 审批人 (客服部经理)
    auditor: SignedIn
    recovery_key: str
    security: SignedIn | None = None  # the 安全保密员, signed in when a recipe needs them
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def officer(self) -> SignedIn:
        """The 安全保密员 (issue 23: grants roles, sets the security policy)."""
        if self.security is None:
            from tests.conftest import SECURITY_PASSWORD, SECURITY_USER

            self.security = auth.sign_in(
                location=self.location,
                username=SECURITY_USER,
                password=SECURITY_PASSWORD,
                clock=self.clock,
            )
        return self.security

    def unique(self, prefix: str) -> str:
        """A fresh name (user names, titles)."""
        return f"{prefix}{next(self._numbers)}"

    def customer(self, **overrides: object) -> int:
        """A new customer without identity number (so any number of them can be made)."""
        return customers.register_customer(
            session=self.archivist, draft=potential(**overrides), clock=self.clock
        ).customer_id

    def volume(self, customer_id: int | None = None) -> int:
        """A new volume (of a new customer unless given)."""
        draft = catalogue.VolumeDraft(
            customer_id=customer_id or self.customer(),
            year=2024,
            title=self.unique("客户档案"),
            retention="Y",
        )
        return catalogue.create_volume(
            session=self.archivist, draft=draft, clock=self.clock
        ).volume_id

    def item(self, volume_id: int | None = None, **overrides: object) -> int:
        """A new item in a new volume unless given."""
        values: dict[str, object] = {"title": self.unique("合同")}
        values.update(overrides)
        return catalogue.add_item(
            session=self.archivist,
            volume_id=volume_id or self.volume(),
            draft=catalogue.ItemDraft(**values),  # type: ignore[arg-type]
            clock=self.clock,
        )

    def file(self) -> int:
        """A small text file attached to a new item."""
        return item_files.attach_file(
            session=self.archivist,
            item_id=self.item(),
            source=io.BytesIO("档案室测试文件\n".encode()),
            file_name="说明.txt",
            clock=self.clock,
        )

    def user(self, roles: list[Role], title: ApproverTitle | None = None) -> tuple[str, int]:
        """A new user with the known password ``PASSWORD``; return name and id."""
        name = self.unique("user")
        add_user(self.admin, self.clock, name, roles, title, display_name="测试用户")
        uid = next(
            u.id
            for u in users.list_users(session=self.admin, clock=self.clock)
            if u.username == name
        )
        return name, uid


RECIPES: dict[str, tuple[Recipe, str]] = {}

# Functions that take a clock but write nothing of their own, with the reason.
READ_ONLY: dict[str, str] = {
    "app.services.audit.confirm_second_person": "checks a password (failures count like a "
    "sign-in); the two-person step it confirms writes the entry",
    "app.services.audit.verify_sealed_trail": "reads; keeps the head as an anchor in this "
    "workstation's book, outside the database",
    "app.services.auth.check_password_with_lockout": "counts failures in the keyring; they enter "
    "the trail at the next sign-in (auth.sign_in_failed, recipe of sign_in)",
    "app.services.auth.unwrap_with_lockout": "the counting part of check_password_with_lockout "
    "(also for verify/restore): failures enter the trail at the next sign-in",
    "app.services.account_review.three_roles_missing": "query: 三员 roles nobody holds",
    "app.services.audit.sign_in_chain_warning": "part of sign_in; writes audit.verify_failed only "
    "when the chain is broken (test_audit_chain)",
    "app.services.catalogue.customer_for_filing": "query: the customer for a 档号 form",
    "app.services.catalogue.find_by_reference": "query: 档号 look-up (restricted rows masked)",
    "app.services.imports.plan_missing_places": "preview: the places an import would create",
    "app.services.catalogue.secrecy_review_queue": "query: items whose term ends soon",
    "app.services.catalogue.volume_catalogue_pdf": "renders only; printing and saving are "
    "audited by record_output first",
    "app.services.catalogue.volume_note_pdf": "renders only; see record_output",
    "app.services.customers.customer_history": "query: a customer's own history",
    "app.services.customers.count_customers": "query: list count",
    "app.services.customers.customer_id_slice": "query: list window",
    "app.services.customers.order_ids": "query: sort ids",
    "app.services.customers.find_customer_by_id_number": "query: exact blind-index look-up "
    "(shows masked rows only)",
    "app.services.customers.find_customers_by_phone": "query: exact blind-index look-up",
    "app.services.customers.find_customers_by_phone_tail": "query: last-4 look-up",
    "app.services.audit.verify_audit_archive": "checks an archive file's signature and chain",
    # storage locations (issue 6)
    "app.services.locations.plan_location_batch": "preview of a batch: nothing is written",
    "app.services.locations.preview_bulk_move": "preview of a bulk move: nothing is written",
    "app.services.locations.spread_over": "plans requests for a bulk move (preview first)",
    "app.services.locations.propose_place": "query: the next free place",
    "app.services.loans.plan_quick_loan": "query: a quick loan's route and named approvers",
    "app.services.locations.propose_box_for_volume": "query: the box a new volume goes into",
    "app.services.locations.last_bulk_move": "query: what undo would reverse",
    "app.services.locations.location_history": "query: moves of a place",
    "app.services.locations.object_history": "query: moves of a box or volume",
    "app.services.locations.location_path": "query: ids from the room down",
    "app.services.locations.custody_places": "query: the places a custodian keeps",
    "app.services.locations.where_is_volume": "query: a volume's box and place",
    "app.services.locations.resolve_scan": "query: what a scanned code names",
    "app.services.locations.shelf_list_sheet": "builds the rows; printing is audited by "
    "record_shelf_list_output",
    "app.services.locations.shelf_list_pdf": "renders only; see record_shelf_list_output",
    "app.services.locations.handover_form": "builds the form; see record_handover_output",
    "app.services.locations.handover_pdf": "renders only; see record_handover_output",
    "app.services.locations.volume_labels": "builds label contents; printing is audited by "
    "record_label_output",
    "app.services.locations.box_labels": "builds label contents; see record_label_output",
    "app.services.locations.location_labels": "builds label contents; see record_label_output",
    # loans (issue 7)
    "app.services.loans.approval_queue": "query: applications waiting for the approver",
    "app.services.loans.copy_approved": "query: the user's approved copy of an item, if any",
    "app.services.loans.find_application_for_scan": "query: the application a scan names",
    "app.services.loans.find_open_loan": "query: the open loan a scan names (return screen)",
    "app.services.loans.overdue_count": "query: overdue loans (home screen)",
    "app.services.loans.use_statistics": "query: 人次, 卷次, pages copied",
    "app.services.loans.volume_id_for_scan": "query: the volume a scan names",
    "app.services.loans.printing.application_pdf": "renders only; printing is audited by "
    "record_loan_output",
    "app.services.loans.printing.copy_register_pdf": "renders only; see record_loan_output",
    "app.services.loans.printing.register_pdf": "renders only; see record_loan_output",
    "app.services.loans.printing.slip_pdf": "renders only; see record_loan_output",
    "app.services.backup.expire_vault_copies": "audits backup.vault_expired only when a copy "
    "past its window was destroyed (test_backup: a deleted customer stays deleted)",
    "app.services.common.local_today": "the clock's local date",
    # inspections (issue 8)
    "app.services.inspections.printing.inspection_record_pdf": "renders only; printing and saving "
    "are audited by record_inspection_output",
    # import and export (issue 10)
    "app.services.exports.header_lines": "the lines an export file starts with",
    "app.services.exports.write_table": "serialises a table; its export service audits",
    "app.services.imports.guess_columns": "query: remembered or guessed column mapping",
    "app.services.imports.check_ledger": "the preview's row checks: nothing is written",
    # staff (issue 20)
    "app.services.staff.confirm_at_desk": "checks a person's password at the desk (failures "
    "count like a sign-in); the hand-over it confirms writes the entry",
    "app.services.staff.printing.filing_form": "builds the form; see record_staff_output",
    "app.services.staff.printing.filing_pdf": "renders only; see record_staff_output",
    "app.services.staff.printing.staff_handover_form": "builds the form; see record_staff_output",
    "app.services.staff.printing.staff_handover_pdf": "renders only; see record_staff_output",
    "app.services.staff.printing.review_form": "builds the form; see record_staff_output",
    "app.services.staff.printing.access_review_pdf": "renders only; see record_staff_output",
    # several desks (issue 22): the lost-update check names who changed the row and when
    "app.services.common.changed_elsewhere": "query: the last change of a row, for the message",
    "app.services.customers.stored.check_version": "raises on a stale version; writes nothing",
    # statistics (issue 19)
    "app.services.statistics.compute_report": "query: a report's counts (exports audit)",
    "app.services.statistics.report_queue": "query: reports waiting for the approver",
    "app.services.statistics.export.report_xlsx": "serialises a report; export_report and "
    "export_stored_report audit",
    "app.services.statistics.reports.build_report": "computes inside the caller's unit of work "
    "(compile_report audits)",
}


def recipe(service: str, *, action: str) -> Callable[[Recipe], Recipe]:
    """Register ``fn`` as the way to exercise ``service``; it must write ``action``."""

    def register(fn: Recipe) -> Recipe:
        assert service not in RECIPES, f"two recipes for {service}"
        RECIPES[service] = (fn, action)
        return fn

    return register


# --- auth -------------------------------------------------------------------------------------
@recipe("app.services.auth.sign_in", action="auth.sign_in")
def _sign_in(w: World) -> None:
    name, _ = w.user([Role.ARCHIVIST])
    auth.sign_out(
        session=auth.sign_in(location=w.location, username=name, password=PASSWORD, clock=w.clock),
        clock=w.clock,
    )


@recipe("app.services.auth.sign_out", action="auth.sign_out")
def _sign_out(w: World) -> None:
    name, _ = w.user([Role.ARCHIVIST])
    session = auth.sign_in(location=w.location, username=name, password=PASSWORD, clock=w.clock)
    auth.sign_out(session=session, clock=w.clock)


@recipe("app.services.auth.record_lock", action="auth.idle_lock")
def _record_lock(w: World) -> None:
    auth.record_lock(session=w.archivist, clock=w.clock)


@recipe("app.services.auth.unlock", action="auth.unlock")
def _unlock(w: World) -> None:
    auth.unlock(session=w.archivist, password=PASSWORD, clock=w.clock)


@recipe("app.services.auth.change_password", action="user.change_password")
def _change_password(w: World) -> None:
    name, _ = w.user([Role.ARCHIVIST])
    session = auth.sign_in(location=w.location, username=name, password=PASSWORD, clock=w.clock)
    try:
        auth.change_password(
            session=session,
            old_password=PASSWORD,
            new_password="Another-Pass-2026",
            confirm="Another-Pass-2026",
            clock=w.clock,
        )
    finally:
        auth.sign_out(session=session, clock=w.clock)


@recipe("app.services.auth.recover_access", action="user.recover_access")
def _recover_access(w: World) -> None:
    name, _ = w.user([Role.ARCHIVIST])
    auth.recover_access(
        location=w.location,
        recovery_key=w.recovery_key,
        username=name,
        new_password="Recovered-Pass-2026",
        confirm="Recovered-Pass-2026",
        clock=w.clock,
    )


# --- setup, users, settings -------------------------------------------------------------------
@recipe("app.services.setup.initialize_database", action="system.setup")
def _initialize_database(w: World) -> list[str]:
    from tests.conftest import make_setup_request

    other = DatabaseLocation.parse(w.folder / w.unique("other") / "archive.db")
    other.sqlite_path.parent.mkdir()
    result = setup.initialize_database(location=other, request=make_setup_request(), clock=w.clock)
    try:
        with result.session.store.engine.connect() as conn:
            return list(conn.exec_driver_sql("SELECT action FROM audit_entry").scalars())
    finally:
        auth.sign_out(session=result.session, clock=w.clock)


@recipe("app.services.users.create_user", action="user.create")
def _create_user(w: World) -> None:
    w.user([Role.ARCHIVIST])


@recipe("app.services.users.set_roles", action="user.set_roles")
def _set_roles(w: World) -> None:
    _, uid = w.user([Role.ARCHIVIST])
    users.set_roles(
        session=w.officer(),
        user_id=uid,
        roles=[Role.APPROVER],
        approver_title=ApproverTitle.DEPT_HEAD,
        clock=w.clock,
    )


@recipe("app.services.users.disable_user", action="user.disable")
def _disable_user(w: World) -> None:
    _, uid = w.user([Role.ARCHIVIST])
    users.disable_user(session=w.admin, user_id=uid, clock=w.clock)


@recipe("app.services.users.enable_user", action="user.enable")
def _enable_user(w: World) -> None:
    _, uid = w.user([Role.ARCHIVIST])
    users.disable_user(session=w.admin, user_id=uid, clock=w.clock)
    users.enable_user(session=w.admin, user_id=uid, clock=w.clock)


@recipe("app.services.users.reset_password", action="user.reset_password")
def _reset_password(w: World) -> None:
    _, uid = w.user([Role.ARCHIVIST])
    users.reset_password(session=w.admin, user_id=uid, clock=w.clock)


@recipe("app.services.account_review.confirm_change", action="user.change_confirmed")
def _confirm_change(w: World) -> None:
    from app.services import account_review

    _, uid = w.user([Role.AUDITOR])  # a 三员 account: its reset waits for a second member
    pending = users.reset_password(session=w.admin, user_id=uid, clock=w.clock).pending_change
    assert pending is not None
    account_review.confirm_change(session=w.officer(), change_id=pending, clock=w.clock)


@recipe("app.services.account_review.reject_change", action="user.change_rejected")
def _reject_change(w: World) -> None:
    from app.services import account_review

    _, uid = w.user([Role.AUDITOR])
    pending = users.disable_user(session=w.admin, user_id=uid, clock=w.clock)
    assert pending is not None
    account_review.reject_change(session=w.officer(), change_id=pending, clock=w.clock)


@recipe("app.services.settings.update_security_settings", action="settings.update")
def _update_security_settings(w: World) -> None:
    current = settings.get_settings(session=w.admin, clock=w.clock).security.idle_lock_minutes
    settings.update_security_settings(
        session=w.officer(),
        changes={"idle_lock_minutes": 11 if current != 11 else 12},
        clock=w.clock,
    )


# --- customers --------------------------------------------------------------------------------
@recipe("app.services.customers.register_customer", action="customer.create")
def _register_customer(w: World) -> None:
    w.customer()


@recipe("app.services.customers.reveal_customer", action="customer.reveal")
def _reveal_customer(w: World) -> None:
    customers.reveal_customer(
        session=w.archivist, customer_id=w.customer(), purpose="核对身份", clock=w.clock
    )


@recipe("app.services.customers.clear_duplicate_flag", action="customer.duplicate_cleared")
def _clear_duplicate_flag(w: World) -> None:
    phone = (customers.PhoneInput(f"139 0000 {next(w._numbers) % 10000:04d}"),)
    first = w.customer(phones=phone)
    w.customer(phones=phone, name="李四")
    flag = next(
        f
        for f in customers.list_duplicate_flags(session=w.archivist, clock=w.clock)
        if first in (f.customer_id, f.other_customer_id)
    )
    customers.clear_duplicate_flag(
        session=w.manager, flag_id=flag.id, note="不同的人，已核实", clock=w.clock
    )


@recipe("app.services.customers.update_customer", action="customer.update")
def _update_customer(w: World) -> None:
    cid = w.customer()
    customer_edits.update_customer(
        session=w.archivist,
        customer_id=cid,
        changes=customer_edits.CustomerChanges(
            name=None, kind="general", category="individual", importance="important"
        ),
        expected_version=1,
        clock=w.clock,
    )


@recipe("app.services.customers.change_customer_status", action="customer.status")
def _change_customer_status(w: World) -> None:
    customer_edits.change_customer_status(
        session=w.archivist,
        customer_id=w.customer(),
        status="lost",
        note="不再合作",
        expected_version=1,
        clock=w.clock,
    )


# --- catalogue and files ----------------------------------------------------------------------
@recipe("app.services.catalogue.set_reference_pattern", action="settings.reference_pattern")
def _set_reference_pattern(w: World) -> None:
    from app.domain import reference_code

    # the pattern in force (volumes of other recipes keep their codes either way)
    catalogue.set_reference_pattern(
        session=w.admin, pattern=reference_code.DEFAULT_PATTERN, clock=w.clock
    )


@recipe("app.services.catalogue.create_volume", action="volume.create")
def _create_volume(w: World) -> None:
    w.volume()


@recipe("app.services.catalogue.add_item", action="item.create")
def _add_item(w: World) -> None:
    w.item()


@recipe("app.services.catalogue.update_volume_details", action="volume.update")
def _update_volume_details(w: World) -> None:
    vid = w.volume()
    catalogue.update_volume_details(
        session=w.archivist,
        volume_id=vid,
        details=catalogue.VolumeDetails(
            title="改后的题名",
            compiled_by="李四",
            checked_by="王五",
            compiled_on=w.clock.now().astimezone().date(),
            notes="完整",
        ),
        expected_version=1,
        clock=w.clock,
    )


@recipe("app.services.catalogue.extend_secrecy", action="secrecy.extend")
def _extend_secrecy(w: World) -> None:
    item = w.item(secrecy_level="secret", secrecy_term_years=10)
    catalogue.extend_secrecy(
        session=w.manager, item_id=item, term_years=20, note="仍需保密", clock=w.clock
    )


def _expired_item(w: World) -> None:
    since = w.clock.now().date() - timedelta(days=365 * 11)
    w.item(secrecy_level="secret", secrecy_term_years=10, secrecy_since=since)


@recipe("app.services.catalogue.declassify_expired", action="secrecy.declassify")
def _declassify_expired(w: World) -> None:
    _expired_item(w)
    catalogue.declassify_expired(session=w.archivist, clock=w.clock)


@recipe("app.services.catalogue.run_daily_checks", action="secrecy.declassify")
def _run_daily_checks(w: World) -> None:
    _expired_item(w)
    w.clock.advance(days=1)  # once a day
    catalogue.run_daily_checks(session=w.archivist, clock=w.clock)


@recipe("app.services.catalogue.export_volumes_xlsx", action="export.volumes")
def _export_volumes_xlsx(w: World) -> None:
    w.volume()
    catalogue_export.export_volumes_xlsx(
        session=w.archivist, query="", purpose="年度核对", clock=w.clock
    )


@recipe("app.services.catalogue.record_output", action="print.catalogue")
def _record_output(w: World) -> None:
    catalogue_print.record_output(
        session=w.archivist, volume_id=w.volume(), form="catalogue", kind="print", clock=w.clock
    )


@recipe("app.services.catalogue.attach_file", action="file.attach")
def _attach_file(w: World) -> None:
    w.file()


@recipe("app.services.catalogue.open_file", action="file.open")
def _open_file(w: World) -> None:
    item_files.open_file(session=w.archivist, file_id=w.file(), purpose="核对原件", clock=w.clock)


@recipe("app.services.catalogue.copy_file", action="file.save")
def _copy_file(w: World) -> None:
    item_files.copy_file(session=w.archivist, file_id=w.file(), purpose="核对原件", clock=w.clock)


@recipe("app.services.catalogue.remove_orphan_blobs", action="file.orphans_removed")
def _remove_orphan_blobs(w: World) -> None:
    from app.storage import blob_files

    folder = item_files.blob_folder(w.archivist.store).path
    folder.mkdir(exist_ok=True)
    (folder / f"{blob_files.TEMP_PREFIX}{w.unique('x')}").write_bytes(b"partial")
    item_files.remove_orphan_blobs(w.archivist.store, w.clock)


# --- the audit trail and incidents (issue 9) ---------------------------------------------------
@recipe("app.services.audit.export_audit", action="audit.export")
def _export_audit(w: World) -> None:
    from app.services import audit

    audit.export_audit(
        session=w.auditor,
        audit_filter=audit.AuditFilter(action="auth."),
        fmt="xlsx",
        purpose="季度检查",
        clock=w.clock,
    )


@recipe("app.services.audit.archive_audit", action="audit.archive")
def _archive_audit(w: World) -> None:
    from app.services import audit

    w.clock.advance(days=audit.RETENTION_MIN_DAYS + 1)
    w.customer()  # something inside the retention: the chain goes on after the archive
    audit.archive_audit(
        session=w.auditor,
        retention_days=audit.RETENTION_MIN_DAYS,
        target=w.folder / f"{w.unique('archive')}.json",
        purpose="年度归档",
        clock=w.clock,
        second_username="boss",  # the administrator confirms (issue 23)
        second_password=ADMIN_PASSWORD,
    )


def _incident_draft(w: World, *affected: str) -> IncidentDraft:
    return IncidentDraft(
        kind="leak",
        title="疑似客户电话外泄",
        found_at=w.clock.now(),
        found_by="李四",
        description="客户反映接到推销电话。",
        measures="核查借阅与导出记录。",
        reported_to="信息管理专员",
        affected=affected,
    )


@recipe("app.services.incidents.record_incident", action="incident.record")
def _record_incident(w: World) -> None:
    incidents.record_incident(session=w.archivist, draft=_incident_draft(w), clock=w.clock)


@recipe("app.services.incidents.update_incident", action="incident.update")
def _update_incident(w: World) -> None:
    row = incidents.record_incident(session=w.archivist, draft=_incident_draft(w), clock=w.clock)
    incidents.update_incident(
        session=w.archivist,
        incident_id=row.id,
        draft=replace(_incident_draft(w), follow_up="已查明", status="closed"),
        expected_version=row.version,
        clock=w.clock,
    )


@recipe("app.services.incidents.print_incident_report", action="print.incident")
def _print_incident_report(w: World) -> None:
    row = incidents.record_incident(session=w.archivist, draft=_incident_draft(w), clock=w.clock)
    incidents.print_incident_report(session=w.archivist, incident_id=row.id, clock=w.clock)


# --- storage locations (issue 6) -----------------------------------------------------------------
def _shelf(w: World, **kw: object) -> str:
    """A new one-face shelf in a room of its own; return the room code."""
    from app.services import locations

    room = w.unique("R")
    values: dict[str, object] = {"room": room, "columns": "1", "faces": "A", "layers": "1-2"}
    values.update(kw)
    locations.create_location_batch(
        session=w.archivist,
        spec=locations.BatchSpec(**values),
        clock=w.clock,  # type: ignore[arg-type]
    )
    return room


def _place(w: World, code: str) -> int:
    from sqlalchemy import select

    from app.storage.models import StorageLocation

    with w.archivist.uow(w.clock) as uow:
        found = uow.session.scalar(select(StorageLocation.id).where(StorageLocation.code == code))
    assert found is not None
    return found


def _box(w: World) -> int:
    from app.services import locations

    return locations.create_box(session=w.archivist, draft=locations.BoxDraft(), clock=w.clock).id


@recipe("app.services.locations.set_location_settings", action="location.settings")
def _location_settings(w: World) -> None:
    from app.services import locations

    now = locations.get_location_settings(session=w.archivist, clock=w.clock)
    locations.set_location_settings(
        session=w.archivist,
        shelf_pattern=now.shelf_pattern,
        cabinet_pattern=now.cabinet_pattern,
        order=now.order.value,
        clock=w.clock,
    )


@recipe("app.services.locations.create_location_batch", action="location.batch_create")
def _location_batch(w: World) -> None:
    _shelf(w)


@recipe("app.services.locations.update_location", action="location.update")
def _location_update(w: World) -> None:
    from app.services import locations

    node = locations.get_location(
        session=w.archivist, location_id=_place(w, _shelf(w)), clock=w.clock
    )
    edit = locations.LocationEdit(node.id, node.version, "改名的库房", None, False, None)
    locations.update_location(session=w.archivist, edit=edit, clock=w.clock)


@recipe("app.services.locations.delete_location", action="location.delete")
def _location_delete(w: World) -> None:
    from app.services import locations

    locations.delete_location(session=w.archivist, location_id=_place(w, _shelf(w)), clock=w.clock)


@recipe("app.services.locations.create_box", action="box.create")
def _box_create(w: World) -> None:
    _box(w)


@recipe("app.services.locations.place_box", action="box.move")
def _box_place(w: World) -> None:
    from app.services import locations

    room = _shelf(w)
    locations.place_box(
        session=w.archivist,
        box_id=_box(w),
        location_id=_place(w, f"{room}-01-A-1-1"),
        clock=w.clock,
    )


@recipe("app.services.locations.put_volume", action="volume.move")
def _volume_put(w: World) -> None:
    from app.services import locations

    locations.put_volume(session=w.archivist, volume_id=w.volume(), box_id=_box(w), clock=w.clock)


@recipe("app.services.locations.bulk_move", action="move.bulk")
def _bulk_move(w: World) -> None:
    from app.services import locations

    room = _shelf(w)
    locations.bulk_move(
        session=w.archivist,
        requests=[
            locations.MoveRequest(
                locations.Target.BOX, _box(w), to_location_id=_place(w, f"{room}-01-A-1-1")
            )
        ],
        clock=w.clock,
    )


@recipe("app.services.locations.undo_last_bulk_move", action="move.bulk_undo")
def _bulk_undo(w: World) -> None:
    from app.services import locations

    room = _shelf(w)
    b = _box(w)
    locations.place_box(
        session=w.archivist, box_id=b, location_id=_place(w, f"{room}-01-A-1-1"), clock=w.clock
    )
    locations.bulk_move(
        session=w.archivist,
        requests=[
            locations.MoveRequest(
                locations.Target.BOX, b, to_location_id=_place(w, f"{room}-01-A-1-2")
            )
        ],
        clock=w.clock,
    )
    locations.undo_last_bulk_move(session=w.archivist, clock=w.clock)


def _handover(w: World) -> int:
    from app.services import locations

    room = w.unique("S")
    locations.create_location_batch(
        session=w.archivist,
        spec=locations.BatchSpec(
            room=room, unit="cabinet", secure=True, custodian_id=w.archivist.actor.user_id
        ),
        clock=w.clock,
    )
    _name, other = w.user([Role.ARCHIVIST])
    return locations.hand_over_custody(
        session=w.archivist,
        location_ids=[_place(w, f"{room}-G1")],
        to_user_id=other,
        witness="赵六",
        note="",
        clock=w.clock,
    ).handover_id


@recipe("app.services.locations.hand_over_custody", action="custody.handover")
def _custody(w: World) -> None:
    _handover(w)


@recipe("app.services.locations.record_shelf_list_output", action="print.shelf_list")
def _shelf_list_output(w: World) -> None:
    from app.services.locations import printing as location_print

    location_print.record_shelf_list_output(
        session=w.archivist, location_id=_place(w, _shelf(w)), kind="print", clock=w.clock
    )


@recipe("app.services.locations.record_handover_output", action="print.custody_handover")
def _handover_output(w: World) -> None:
    from app.services.locations import printing as location_print

    location_print.record_handover_output(
        session=w.archivist, handover_id=_handover(w), kind="print", clock=w.clock
    )


# --- labels (issue 6) ----------------------------------------------------------------------------
def _user_stock(w: World) -> str:
    from dataclasses import replace as dc_replace

    from app.domain.label_stock import BUILTIN_STOCKS
    from app.services.locations import labels

    stock = dc_replace(BUILTIN_STOCKS[0], key="", name=w.unique("自定义标签纸"), builtin=False)
    return labels.save_label_stock(session=w.archivist, stock=stock, clock=w.clock).key


@recipe("app.services.locations.save_label_stock", action="label_stock.save")
def _label_stock_save(w: World) -> None:
    _user_stock(w)


@recipe("app.services.locations.delete_label_stock", action="label_stock.delete")
def _label_stock_delete(w: World) -> None:
    from app.services.locations import labels

    labels.delete_label_stock(session=w.archivist, key=_user_stock(w), clock=w.clock)


@recipe("app.services.locations.record_label_output", action="print.labels")
def _label_output(w: World) -> None:
    from app.domain.label_stock import BUILTIN_STOCKS
    from app.services.locations import labels

    contents = labels.volume_labels(session=w.archivist, volume_ids=[w.volume()], clock=w.clock)
    labels.record_label_output(
        session=w.archivist,
        labels=contents,
        stock=BUILTIN_STOCKS[0],
        start=0,
        kind="print",
        clock=w.clock,
    )


# --- import and export (issue 10) ----------------------------------------------------------------
def _customer_ledger(w: World) -> tuple[Ledger, dict[int, str]]:
    """A one-row customer ledger of its own, with the column mapping the wizard would guess."""
    path = w.folder / f"{w.unique('ledger')}.csv"
    path.write_text(f"客户名称,联系电话\n{w.unique('王')},13900001111\n", encoding="utf-8")
    return mapped_ledger(w.archivist, w.clock, path, "customers")


def _run_import(w: World) -> int:
    ledger, mapping = _customer_ledger(w)
    summary = import_rows(w.archivist, w.clock, "customers", ledger, mapping)
    assert summary.batch_id is not None
    return summary.batch_id


@recipe("app.services.imports.run_import", action="import.customers")
def _import(w: World) -> None:
    _run_import(w)


@recipe("app.services.imports.link_volumes", action="catalogue.link_volumes")
def _link_volumes(w: World) -> None:
    from app.services import imports

    path = w.folder / f"{w.unique('volumes')}.csv"
    path.write_text(f"题名,年度,保管期限\n{w.unique('待关联卷')},2020,永久\n", encoding="utf-8")
    ledger, mapping = mapped_ledger(w.archivist, w.clock, path, "volumes")
    summary = import_rows(w.archivist, w.clock, "volumes", ledger, mapping)
    assert summary.details.get("unlinked") == 1
    volume = imports.list_unlinked_volumes(session=w.archivist, clock=w.clock)[-1]
    imports.link_volumes(session=w.archivist, links={volume.id: w.customer()}, clock=w.clock)


@recipe("app.services.imports.create_missing_places", action="location.batch_create")
def _create_missing_places(w: World) -> None:
    from app.services import imports

    digits = w.unique("9")  # a room of its own: 9<n>号库
    path = w.folder / f"{w.unique('places')}.csv"
    path.write_text(
        f"题名,年度,保管期限,存放位置\n卷,2020,永久,{digits}号库6列B面8节3层\n", encoding="utf-8"
    )
    ledger, mapping = mapped_ledger(w.archivist, w.clock, path, "volumes")
    assert imports.create_missing_places(
        session=w.archivist, ledger=ledger, mapping=mapping, clock=w.clock
    )


@recipe("app.services.imports.undo_import", action="import.customers.undo")
def _import_undo(w: World) -> None:
    from app.services import imports

    imports.undo_import(session=w.archivist, batch_id=_run_import(w), clock=w.clock)


@recipe("app.services.imports.rejected_rows_xlsx", action="export.import_rejected.customers")
def _import_rejected(w: World) -> None:
    from app.services import imports

    ledger, mapping = _customer_ledger(w)
    outcomes = imports.check_ledger(
        session=w.archivist,
        kind="customers",
        ledger=ledger,
        mapping=mapping,
        clock=w.clock,
    )
    imports.rejected_rows_xlsx(
        session=w.archivist,
        kind="customers",
        ledger=ledger,
        outcomes=outcomes.outcomes,
        clock=w.clock,
    )


@recipe("app.services.exports.export_customers", action="export.customers")
def _export_customers(w: World) -> None:
    from app.services import exports

    exports.export_customers(session=w.archivist, purpose="年度核对", clock=w.clock)


@recipe("app.services.exports.export_volumes", action="export.volumes")
def _export_volumes(w: World) -> None:
    from app.services import exports

    exports.export_volumes(session=w.archivist, query="", purpose="年度核对", clock=w.clock)


# --- loans (issue 7) -----------------------------------------------------------------------------
def _loan_desk(w: World) -> tuple[SignedIn, int]:
    """An 信息管理专员 signed in and a staff borrower with a department (made once per world)."""
    cached = getattr(w, "_loan_desk", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from app.services import loans

    officer, _ = w.user([Role.APPROVER], ApproverTitle.INFO_OFFICER)
    _name, borrower = w.user([Role.ARCHIVIST])
    loans.set_staff_department(
        session=w.admin, user_id=borrower, department="销售部", clock=w.clock
    )
    session = auth.sign_in(location=w.location, username=officer, password=PASSWORD, clock=w.clock)
    w._loan_desk = (session, borrower)  # type: ignore[attr-defined]
    return session, borrower


def _application(w: World, kind: str = "loan") -> tuple[int, int]:
    """A filed 外借 application for a new volume: (application id, volume id)."""
    from app.services import loans

    _officer, borrower = _loan_desk(w)
    vid = w.volume()
    saved = loans.file_application(
        session=w.archivist,
        draft=loans.ApplicationDraft(
            kind=kind,
            purpose="核对合同条款",
            volumes=(loans.RequestedVolume(vid),),
            applicant_user_id=borrower,
            phone="13812345678",
            reason="客户投诉处理",
        ),
        clock=w.clock,
    )
    return saved.application_id, vid


def _approved(w: World) -> tuple[int, int]:
    from app.services import loans

    app_id, vid = _application(w)
    officer, _ = _loan_desk(w)
    loans.approve_application(session=officer, application_id=app_id, opinion="同意", clock=w.clock)
    return app_id, vid


def _issued(w: World) -> int:
    from app.services import loans

    app_id, vid = _approved(w)
    return loans.issue_loan(
        session=w.archivist, application_id=app_id, volume_id=vid, clock=w.clock
    ).loan_id


@recipe("app.services.loans.set_staff_department", action="user.set_department")
def _loan_department(w: World) -> None:
    from app.services import loans

    _name, uid = w.user([Role.ARCHIVIST])
    loans.set_staff_department(session=w.admin, user_id=uid, department="财务部", clock=w.clock)


@recipe("app.services.loans.update_loan_settings", action="settings.loans")
def _loan_settings(w: World) -> None:
    from app.services import loans

    loans.update_loan_settings(session=w.admin, changes={"loan_days": 3}, clock=w.clock)


@recipe("app.services.loans.file_application", action="loan.apply")
def _loan_apply(w: World) -> None:
    _application(w)


@recipe("app.services.loans.approve_application", action="loan.approve")
def _loan_approve(w: World) -> None:
    _approved(w)


@recipe("app.services.loans.reject_application", action="loan.reject")
def _loan_reject(w: World) -> None:
    from app.services import loans

    app_id, _vid = _application(w)
    officer, _ = _loan_desk(w)
    loans.reject_application(
        session=officer, application_id=app_id, reason="用途不明", clock=w.clock
    )


@recipe("app.services.loans.issue_loan", action="loan.issue")
def _loan_issue(w: World) -> None:
    _issued(w)


@recipe("app.services.loans.quick_loan", action="loan.issue")
def _loan_quick(w: World) -> None:
    from app.services import loans

    officer, borrower = _loan_desk(w)
    loans.quick_loan(
        session=w.archivist,
        approver=officer,
        draft=loans.ApplicationDraft(
            kind="loan",
            purpose="核对合同条款",
            volumes=(loans.RequestedVolume(w.volume()),),
            applicant_user_id=borrower,
        ),
        clock=w.clock,
    )


@recipe("app.services.loans.return_loan", action="loan.return")
def _loan_return(w: World) -> None:
    from app.services import loans

    loans.return_loan(
        session=w.archivist,
        loan_id=_issued(w),
        count=loans.ReturnCount(0, 0, "intact", face_to_face=True),
        clock=w.clock,
    )


@recipe("app.services.loans.request_renewal", action="loan.renewal_request")
def _loan_renewal(w: World) -> None:
    from app.services import loans

    loans.request_renewal(session=w.archivist, loan_id=_issued(w), reason="仍需核对", clock=w.clock)


@recipe("app.services.loans.resolve_damage_report", action="loan.damage_resolved")
def _loan_damage(w: World) -> None:
    from app.services import loans

    loans.return_loan(
        session=w.archivist,
        loan_id=_issued(w),
        count=loans.ReturnCount(0, 0, "damaged", face_to_face=True, note="封面撕裂"),
        clock=w.clock,
    )
    report = loans.list_damage_reports(session=w.archivist, clock=w.clock)[0]
    loans.resolve_damage_report(
        session=w.archivist, report_id=report.id, resolution="已修补", clock=w.clock
    )


@recipe("app.services.loans.printing.overdue_notices_pdf", action="loan.notice")
def _loan_notice(w: World) -> None:
    from app.services.loans import printing as loan_print
    from app.storage.models import Loan

    loan_id = _issued(w)
    with w.archivist.uow(w.clock) as uow:  # set up: this loan fell due two days ago
        loan = uow.session.get(Loan, loan_id)
        assert loan is not None
        loan.due_on = w.clock.now().astimezone().date() - timedelta(days=2)
        uow.commit()
    loan_print.overdue_notices_pdf(session=w.archivist, clock=w.clock, loan_ids=[loan_id])


@recipe("app.services.loans.printing.record_loan_output", action="print.loan_slip")
def _loan_output(w: World) -> None:
    from app.services.loans import printing as loan_print

    loan_print.record_loan_output(
        session=w.archivist, form="slip", kind="print", object_id=str(_issued(w)), clock=w.clock
    )


# --- backup and restore (issue 10) ---------------------------------------------------------------
def _backup(w: World) -> str:
    from app.services import backup

    folder = w.folder / w.unique("backups")
    return backup.run_backup(session=w.admin, clock=w.clock, target=folder).path


@recipe("app.services.backup.run_backup", action="backup.create")
def _backup_run(w: World) -> None:
    _backup(w)


@recipe("app.services.backup.verify_backup", action="backup.verify")
def _backup_verify(w: World) -> None:
    from app.services import backup

    backup.verify_backup(session=w.admin, clock=w.clock, path=_backup(w))


def _alone(w: World, run: Callable[[SignedIn], object]) -> list[str]:
    """Run ``run`` as the administrator of a database of its own (nobody else signed in)."""
    from tests.conftest import make_setup_request

    other = DatabaseLocation.parse(w.folder / w.unique("alone") / "archive.db")
    other.sqlite_path.parent.mkdir()
    result = setup.initialize_database(location=other, request=make_setup_request(), clock=w.clock)
    try:
        run(result.session)
        with result.session.store.engine.connect() as conn:
            return list(conn.exec_driver_sql("SELECT action FROM audit_entry").scalars())
    finally:
        auth.sign_out(session=result.session, clock=w.clock)


@recipe("app.services.backup.prepare_restore", action="backup.restore_prepared")
def _backup_restore(w: World) -> list[str]:
    """A restore refuses while other sessions hold the database: on a database of its own."""
    from app.services import backup

    def run(admin: SignedIn) -> None:
        folder = w.folder / w.unique("backups")
        made = backup.run_backup(session=admin, clock=w.clock, target=folder).path
        backup.prepare_restore(session=admin, clock=w.clock, backup=made)

    return _alone(w, run)


@recipe("app.services.keys.rotate_data_key", action="keys.rotate")
def _rotate_key(w: World) -> list[str]:
    from app.services import keys

    return _alone(w, lambda admin: keys.rotate_data_key(session=admin, clock=w.clock))


@recipe("app.services.keys.request_rotation", action="keys.rotation_deferred")
def _request_rotation(w: World) -> None:
    from app.services import keys

    # others are signed in to the shared database: recorded as due
    keys.request_rotation(session=w.admin, clock=w.clock, reason="manual")


@recipe("app.services.keys.run_due_rotation", action="keys.rotate")
def _run_due_rotation(w: World) -> list[str]:
    from app.services import keys
    from app.storage.sessions import take_lease

    def run(admin: SignedIn) -> None:
        other = take_lease(admin.store.location.sqlite_path, "other", w.clock.now())
        assert other is not None
        keys.request_rotation(session=admin, clock=w.clock, reason="manual")  # deferred
        other.release()
        keys.run_due_rotation(session=admin, clock=w.clock)

    return _alone(w, run)


@recipe("app.services.backup.update_backup_settings", action="settings.update")
def _backup_settings(w: World) -> None:
    from app.services import backup

    backup.update_backup_settings(
        session=w.admin, changes={"backup_interval_hours": 48}, clock=w.clock
    )


# --- inspections (issue 8) ----------------------------------------------------------------------
def _inspection(w: World, counting: bool = False) -> tuple[int, int, int]:
    """A half-yearly session on a new room with one shelved volume: (session, room, volume)."""
    from app.services import inspections, locations

    room = _shelf(w)
    room_id = _place(w, room)
    box_id = _box(w)
    locations.place_box(
        session=w.archivist, box_id=box_id, location_id=_place(w, f"{room}-01-A-1-1"), clock=w.clock
    )
    vid = w.volume()
    locations.put_volume(session=w.archivist, volume_id=vid, box_id=box_id, clock=w.clock)
    draft = inspections.InspectionDraft(
        kind="half_yearly",
        room_id=room_id,
        inspected_on=w.clock.now().astimezone().date(),
        inspectors=(
            inspections.Inspector(user_id=w.archivist.actor.user_id),
            inspections.Inspector("王五"),
        ),
    )
    sid = inspections.start_inspection(session=w.archivist, draft=draft, clock=w.clock)
    if counting:
        inspections.begin_counting(session=w.archivist, inspection_id=sid, clock=w.clock)
    return sid, room_id, vid


def _finding(w: World, send_out: bool) -> int:
    from app.services import inspections

    sid, _room, vid = _inspection(w)
    saved = inspections.record_finding(
        session=w.archivist,
        volume_id=vid,
        kind="damage",
        description="书脊开裂",
        inspection_id=sid,
        task=inspections.TaskDraft(
            kind="mend",
            due_on=w.clock.now().astimezone().date() + timedelta(days=14),
            responsible_name="王五",
            send_out=send_out,
        ),
        clock=w.clock,
    )
    assert saved.task_id is not None
    return saved.task_id


@recipe("app.services.inspections.set_inspection_settings", action="inspection.settings")
def _inspection_settings(w: World) -> None:
    from app.services import inspections

    now = inspections.get_inspection_settings(session=w.admin, clock=w.clock)
    inspections.set_inspection_settings(
        session=w.admin, checklist=now.checklist, limits=now.limits, clock=w.clock
    )


@recipe("app.services.inspections.set_room_type", action="inspection.room_type")
def _inspection_room_type(w: World) -> None:
    from app.services import inspections

    inspections.set_room_type(
        session=w.archivist, room_id=_place(w, _shelf(w)), room_type="media", clock=w.clock
    )


@recipe("app.services.inspections.start_inspection", action="inspection.start")
def _inspection_start(w: World) -> None:
    _inspection(w)


@recipe("app.services.inspections.pause_inspection", action="inspection.pause")
def _inspection_pause(w: World) -> None:
    from app.services import inspections

    inspections.pause_inspection(
        session=w.archivist, inspection_id=_inspection(w)[0], clock=w.clock
    )


@recipe("app.services.inspections.resume_inspection", action="inspection.resume")
def _inspection_resume(w: World) -> None:
    from app.services import inspections

    sid = _inspection(w)[0]
    inspections.pause_inspection(session=w.archivist, inspection_id=sid, clock=w.clock)
    inspections.resume_inspection(session=w.archivist, inspection_id=sid, clock=w.clock)


@recipe("app.services.inspections.begin_counting", action="inspection.count_start")
def _inspection_count(w: World) -> None:
    _inspection(w, counting=True)


@recipe("app.services.inspections.record_scan", action="inspection.scan")
def _inspection_scan(w: World) -> None:
    from app.domain.scan_codes import scan_payload
    from app.services import inspections

    sid, _room, vid = _inspection(w, counting=True)
    code = catalogue.get_volume(session=w.archivist, volume_id=vid, clock=w.clock).reference_code
    inspections.record_scan(
        session=w.archivist, inspection_id=sid, text=scan_payload(code), clock=w.clock
    )


@recipe("app.services.inspections.finish_counting", action="inspection.count_finish")
def _inspection_finish(w: World) -> None:
    from app.services import inspections

    sid = _inspection(w, counting=True)[0]
    inspections.finish_counting(session=w.archivist, inspection_id=sid, clock=w.clock)


@recipe("app.services.inspections.resolve_difference", action="inspection.difference")
def _inspection_difference(w: World) -> None:
    from app.services import inspections

    sid = _inspection(w, counting=True)[0]
    inspections.finish_counting(session=w.archivist, inspection_id=sid, clock=w.clock)
    [diff] = inspections.get_reconciliation(
        session=w.archivist, inspection_id=sid, clock=w.clock
    ).differences
    inspections.resolve_difference(
        session=w.archivist,
        difference_id=diff.id or 0,
        action="noted",
        note="借给他人",
        clock=w.clock,
    )


@recipe("app.services.inspections.verify_scope_files", action="inspection.fixity")
def _inspection_fixity(w: World) -> None:
    from app.services import inspections

    inspections.verify_scope_files(
        session=w.archivist, inspection_id=_inspection(w)[0], clock=w.clock
    )


@recipe("app.services.inspections.set_check", action="inspection.check")
def _inspection_check(w: World) -> None:
    from app.services import inspections

    inspections.set_check(
        session=w.archivist, inspection_id=_inspection(w)[0], seq=1, ok=True, clock=w.clock
    )


@recipe("app.services.inspections.record_reading", action="inspection.reading")
def _inspection_reading(w: World) -> None:
    from app.services import inspections

    room_id = _place(w, _shelf(w))
    inspections.record_reading(
        session=w.archivist, room_id=room_id, temperature=19.5, humidity=52, clock=w.clock
    )


@recipe("app.services.inspections.record_finding", action="inspection.finding")
def _inspection_finding(w: World) -> None:
    _finding(w, send_out=False)


@recipe("app.services.inspections.send_task_out", action="repair.out")
def _repair_out(w: World) -> None:
    from app.services import inspections

    inspections.send_task_out(session=w.archivist, task_id=_finding(w, False), clock=w.clock)


@recipe("app.services.inspections.complete_task", action="repair.done")
def _repair_done(w: World) -> None:
    from app.services import inspections

    inspections.complete_task(session=w.archivist, task_id=_finding(w, True), clock=w.clock)


@recipe("app.services.inspections.close_inspection", action="inspection.close")
def _inspection_close(w: World) -> None:
    from app.services import inspections

    sid = _inspection(w)[0]
    for row in inspections.list_checks(session=w.archivist, inspection_id=sid, clock=w.clock):
        inspections.set_check(
            session=w.archivist, inspection_id=sid, seq=row.seq, ok=True, clock=w.clock
        )
    inspections.close_inspection(session=w.archivist, inspection_id=sid, measures="", clock=w.clock)


@recipe(
    "app.services.inspections.printing.record_inspection_output", action="print.inspection_record"
)
def _inspection_output(w: World) -> None:
    from app.services.inspections import printing

    printing.record_inspection_output(
        session=w.archivist, inspection_id=_inspection(w)[0], kind="print", clock=w.clock
    )


# --- the sealed trail and trusted time (issue 23) ---------------------------------------------
@recipe("app.services.audit.start_audit_sealing", action="audit.seal_started")
def _start_audit_sealing(w: World) -> None:
    from app.services import audit

    if not audit.sealing_started(w.auditor.store):
        audit.start_audit_sealing(session=w.auditor, clock=w.clock)
    else:  # another recipe started it: the entry is there already
        assert audit.search_audit(
            session=w.auditor,
            audit_filter=audit.AuditFilter(action="audit.seal_started"),
            clock=w.clock,
        ).rows


@recipe("app.services.audit.reset_time_mark", action="time.mark_reset")
def _reset_time_mark(w: World) -> None:
    from app.services import audit

    audit.reset_time_mark(
        session=w.auditor,
        second_username="boss",
        second_password=ADMIN_PASSWORD,
        reason="时钟已与北京时间核对",
        clock=w.clock,
    )


# --- staff (issue 20) ----------------------------------------------------------------------------
def _staff_person(w: World, *, user_id: int | None = None) -> int:
    from app.services import staff

    return staff.register_person(
        session=w.admin,
        draft=staff.PersonDraft(name=w.unique("员工"), contact="13812345678", user_id=user_id),
        clock=w.clock,
    )


def _department(w: World) -> int:
    from app.services import staff

    return staff.add_department(session=w.admin, name=w.unique("部门"), clock=w.clock)


@recipe("app.services.staff.add_department", action="staff.department_add")
def _add_department(w: World) -> None:
    _department(w)


@recipe("app.services.staff.set_filing_clerk", action="staff.filing_clerk")
def _set_filing_clerk(w: World) -> None:
    from app.services import staff

    staff.set_filing_clerk(
        session=w.admin, department_id=_department(w), person_id=_staff_person(w), clock=w.clock
    )


@recipe("app.services.staff.register_person", action="staff.person_add")
def _register_person(w: World) -> None:
    _staff_person(w)


@recipe("app.services.staff.update_person", action="staff.person_update")
def _update_person(w: World) -> None:
    from app.services import staff

    pid = _staff_person(w)
    staff.update_person(
        session=w.admin,
        person_id=pid,
        draft=staff.PersonDraft(name=w.unique("改名"), post="客服专员"),
        expected_version=1,
        clock=w.clock,
    )


@recipe("app.services.staff.set_staff_policy", action="staff.policy")
def _set_staff_policy(w: World) -> None:
    from app.services import staff

    policy = staff.get_staff_policy(session=w.admin, clock=w.clock)
    staff.set_staff_policy(session=w.admin, policy=policy, clock=w.clock)


def _agreement(w: World) -> int:
    from datetime import date

    from app.services import staff

    return staff.record_agreement(
        session=w.admin,
        person_id=_staff_person(w),
        signed_on=date(2026, 1, 2),
        valid_until=None,
        clock=w.clock,
        scan=staff.Attachment("保密协议.pdf", b"%PDF-1.4\n%%EOF\n"),
    )


@recipe("app.services.staff.record_agreement", action="staff.agreement")
def _record_agreement(w: World) -> None:
    _agreement(w)


@recipe("app.services.staff.open_agreement_scan", action="staff.agreement_open")
def _open_agreement_scan(w: World) -> None:
    from app.services import staff

    staff.open_agreement_scan(
        session=w.admin, agreement_id=_agreement(w), purpose="核对签字", clock=w.clock
    )


@recipe("app.services.staff.record_training", action="staff.training")
def _record_training(w: World) -> None:
    from datetime import date

    from app.services import staff

    staff.record_training(
        session=w.admin,
        held_on=date(2026, 1, 4),
        topic="客户信息保护意识培训",
        trainer="周敏",
        hours=2,
        attendee_ids=[_staff_person(w)],
        clock=w.clock,
    )


def _filing(w: World) -> int:
    from app.services import staff

    dep = _department(w)
    staff.set_filing_clerk(
        session=w.admin, department_id=dep, person_id=_staff_person(w), clock=w.clock
    )
    return staff.record_filing_handover(
        session=w.archivist,
        department_id=dep,
        period="2025-12",
        volume_ids=[w.volume()],
        paper_signature=True,
        clock=w.clock,
    ).row.id


@recipe("app.services.staff.record_filing_handover", action="filing.handover")
def _record_filing_handover(w: World) -> None:
    _filing(w)


@recipe("app.services.staff.hand_over_holdings", action="staff.handover")
def _hand_over_holdings(w: World) -> None:
    from app.domain.staff import StaffState
    from app.services import staff

    _leaver, leaver_id = w.user([Role.ARCHIVIST])
    heir, heir_id = w.user([Role.ARCHIVIST])
    person = next(
        p.id for p in staff.list_people(session=w.admin, clock=w.clock) if p.user_id == leaver_id
    )
    staff.hand_over_holdings(
        session=w.archivist,
        person_id=person,
        leaving=StaffState.TRANSFERRED,
        successor_user_id=heir_id,
        successor_username=heir,
        successor_password=PASSWORD,
        supervisor="钱部长",
        clock=w.clock,
    )


def _fresh_review(w: World) -> int:
    """A review just started (one left open by another recipe is finished first)."""
    from app.services import staff

    due = staff.get_review_due(session=w.admin, clock=w.clock)
    if due.open_review_id is not None:
        _finish_review(w, due.open_review_id)
    return staff.start_access_review(session=w.admin, clock=w.clock)


def _finish_review(w: World, review_id: int) -> None:
    from app.services import staff

    review = staff.get_access_review(session=w.admin, review_id=review_id, clock=w.clock)
    for line in review.lines:
        if line.decision == "pending":
            staff.decide_review_line(
                session=w.admin, line_id=line.id, decision="confirmed", clock=w.clock
            )
    staff.close_access_review(session=w.auditor, review_id=review_id, clock=w.clock)


@recipe("app.services.staff.start_access_review", action="access_review.start")
def _start_access_review(w: World) -> None:
    _fresh_review(w)


@recipe("app.services.staff.decide_review_line", action="access_review.decide")
def _decide_review_line(w: World) -> None:
    from app.services import staff

    review = staff.get_access_review(session=w.admin, review_id=_fresh_review(w), clock=w.clock)
    staff.decide_review_line(
        session=w.admin, line_id=review.lines[0].id, decision="changed", note="停用", clock=w.clock
    )


@recipe("app.services.staff.close_access_review", action="access_review.close")
def _close_access_review(w: World) -> None:
    _finish_review(w, _fresh_review(w))


@recipe("app.services.staff.printing.record_staff_output", action="print.filing_handover")
def _staff_output(w: World) -> None:
    from app.services.staff import printing as staff_printing

    staff_printing.record_staff_output(
        session=w.archivist, form="filing", object_id=_filing(w), kind="print", clock=w.clock
    )


# --- personal data lifecycle (issue 18) -------------------------------------------------------
READ_ONLY["app.services.privacy.count_overdue_subject_requests"] = "query: the home card"


def _consenting(w: World) -> int:
    """A new customer with a written consent covering every default purpose."""
    from datetime import date

    from app.services import privacy

    entry = privacy.ConsentInput(
        purposes=("合同履行", "客户服务", "营销", "对外提供"),
        given_on=date(2026, 1, 2),
        form=b"%PDF-1.4 consent",
        form_name="同意书.pdf",
    )
    return w.customer(legal_basis="", consent=entry)


@recipe("app.services.privacy.add_consent", action="consent.add")
def _add_consent(w: World) -> None:
    from datetime import date

    from app.services import privacy

    privacy.add_consent(
        session=w.archivist,
        customer_id=w.customer(),
        entry=privacy.ConsentInput(purposes=("营销",), given_on=date(2026, 1, 3)),
        clock=w.clock,
    )


@recipe("app.services.privacy.withdraw_consent", action="consent.withdraw")
def _withdraw_consent(w: World) -> None:
    from app.services import privacy

    cid = _consenting(w)
    [row] = privacy.list_consents(session=w.archivist, customer_id=cid, clock=w.clock)
    privacy.withdraw_consent(
        session=w.archivist, consent_id=row.id, purposes=("营销",), clock=w.clock
    )


@recipe("app.services.privacy.open_consent_form", action="consent.form_open")
def _open_consent_form(w: World) -> None:
    from app.services import privacy

    cid = _consenting(w)
    [row] = privacy.list_consents(session=w.archivist, customer_id=cid, clock=w.clock)
    privacy.open_consent_form(
        session=w.archivist, consent_id=row.id, purpose="核对签字", clock=w.clock
    )


def _erasure_request(w: World) -> int:
    from app.services import privacy

    cid = w.customer()
    number = privacy.request_erasure(
        session=w.archivist, customer_id=cid, reason="customer_request", clock=w.clock
    )
    rows = privacy.list_erasure_requests(session=w.archivist, clock=w.clock)
    return next(r.id for r in rows if r.number == number)


@recipe("app.services.privacy.request_erasure", action="erasure.request")
def _request_erasure(w: World) -> None:
    _erasure_request(w)


@recipe("app.services.privacy.decide_erasure", action="erasure.approve")
def _decide_erasure(w: World) -> None:
    from app.services import privacy

    privacy.decide_erasure(
        session=w.manager, request_id=_erasure_request(w), approve=True, clock=w.clock
    )


@recipe("app.services.privacy.carry_out_erasure", action="erasure.delete")
def _carry_out_erasure(w: World) -> None:
    from app.services import privacy

    request_id = _erasure_request(w)
    privacy.decide_erasure(session=w.manager, request_id=request_id, approve=True, clock=w.clock)
    privacy.carry_out_erasure(session=w.archivist, request_id=request_id, clock=w.clock)


@recipe("app.services.privacy.record_subject_request", action="subject.request")
def _record_subject_request(w: World) -> None:
    from app.services import privacy

    privacy.record_subject_request(
        session=w.archivist, customer_id=w.customer(), kind="access", clock=w.clock
    )


@recipe("app.services.privacy.answer_subject_request", action="subject.answer")
def _answer_subject_request(w: World) -> None:
    from app.services import privacy

    number = privacy.record_subject_request(
        session=w.archivist, customer_id=w.customer(), kind="access", clock=w.clock
    )
    rows = privacy.list_subject_requests(session=w.archivist, clock=w.clock)
    request_id = next(r.id for r in rows if r.number == number)
    privacy.answer_subject_request(
        session=w.archivist, request_id=request_id, answer="已寄送查询答复", clock=w.clock
    )


def _recipient(w: World) -> int:
    from datetime import date

    from app.domain.identity import uscc_check_character
    from app.services import privacy

    body = f"91110000{next(w._numbers):09d}"
    return privacy.add_recipient(
        session=w.archivist,
        recipient=privacy.RecipientInput(
            name=w.unique("北京某律师事务所"),
            uscc=body + uscc_check_character(body),
            contact="王律师",
            agreement_signed_on=date(2026, 1, 2),
        ),
        clock=w.clock,
    )


@recipe("app.services.privacy.add_recipient", action="recipient.add")
def _add_recipient(w: World) -> None:
    _recipient(w)


@recipe("app.services.privacy.provide_data", action="provision.record")
def _provide_data(w: World) -> None:
    from app.services import privacy

    privacy.provide_data(
        session=w.archivist,
        customer_id=_consenting(w),
        recipient_id=_recipient(w),
        purpose="诉讼材料",
        fields=("姓名", "联系电话"),
        clock=w.clock,
    )


@recipe("app.services.privacy.update_privacy_settings", action="privacy.settings")
def _update_privacy_settings(w: World) -> None:
    from dataclasses import replace as with_values

    from app.services import privacy

    current = privacy.get_privacy_settings(session=w.admin, clock=w.clock)
    privacy.update_privacy_settings(
        session=w.admin, settings=with_values(current, answer_days=15), clock=w.clock
    )


@recipe("app.services.privacy.printing.print_customer_report", action="customer.report")
def _print_customer_report(w: World) -> None:
    from app.services.privacy import printing

    printing.print_customer_report(session=w.archivist, customer_id=w.customer(), clock=w.clock)


@recipe("app.services.privacy.printing.print_provision_register", action="print.provisions")
def _print_provision_register(w: World) -> None:
    from app.services.privacy import printing

    printing.print_provision_register(session=w.archivist, clock=w.clock)


# --- disposition (issue 17) --------------------------------------------------------------------
_DISPOSITION: dict[int, dict[str, object]] = {}


def _people(w: World) -> dict[str, object]:
    """A second appraiser, a 总经理 and two witnesses, made once per world."""
    found = _DISPOSITION.get(id(w))
    if found is None:
        appraiser = w.user([Role.ARCHIVIST])
        gm_name, _gm_id = w.user([Role.APPROVER], ApproverTitle.GENERAL_MANAGER)
        witness1 = w.user([Role.ARCHIVIST])
        witness2 = w.user([Role.ARCHIVIST])
        found = {
            "appraisers": [appraiser[1], witness1[1]],
            "gm": auth.sign_in(
                location=w.location, username=gm_name, password=PASSWORD, clock=w.clock
            ),
            "witnesses": (witness1[0], witness2[0]),
        }
        _DISPOSITION[id(w)] = found
    return found


def _expired(w: World) -> int:
    draft = catalogue.VolumeDraft(
        customer_id=w.customer(), year=2010, title=w.unique("到期档案"), retention="D10"
    )
    return catalogue.create_volume(session=w.archivist, draft=draft, clock=w.clock).volume_id


def _appraisal(w: World) -> int:
    from app.services import disposition

    ids = _people(w)["appraisers"]
    assert isinstance(ids, list)
    return disposition.start_appraisal(
        session=w.archivist, appraiser_ids=ids, appraised_on=w.clock.now().date(), clock=w.clock
    ).id


def _decided(w: World) -> int:
    """A volume appraised 销毁 (closed appraisal)."""
    from app.services import disposition

    vid, aid = _expired(w), _appraisal(w)
    disposition.record_decision(
        session=w.archivist, appraisal_id=aid, volume_id=vid, decision="destroy", clock=w.clock
    )
    disposition.close_appraisal(session=w.archivist, appraisal_id=aid, opinion="", clock=w.clock)
    return vid


def _draft_list(w: World) -> tuple[int, int]:
    from app.services import disposition

    vid = _decided(w)
    return disposition.compile_list(session=w.archivist, volume_ids=[vid], clock=w.clock).id, vid


def _submitted(w: World) -> int:
    from app.services import disposition

    lid, _vid = _draft_list(w)
    disposition.submit_list(session=w.archivist, list_id=lid, clock=w.clock)
    return lid


def _approved_list(w: World) -> int:
    from app.services import disposition

    lid = _submitted(w)
    gm = _people(w)["gm"]
    assert isinstance(gm, SignedIn)
    for who in (w.manager, gm):
        disposition.approve_list(session=who, list_id=lid, opinion="同意", clock=w.clock)
    return lid


@recipe("app.services.disposition.place_hold", action="disposition.hold_place")
def _hold_place(w: World) -> None:
    from app.services import disposition

    disposition.place_hold(
        session=w.archivist, reason="诉讼保全", customer_ids=[w.customer()], clock=w.clock
    )


@recipe("app.services.disposition.release_hold", action="disposition.hold_release")
def _hold_release(w: World) -> None:
    from app.services import disposition

    hold = disposition.place_hold(
        session=w.archivist, reason="诉讼保全", customer_ids=[w.customer()], clock=w.clock
    )
    disposition.release_hold(session=w.manager, hold_id=hold.id, reason="结案", clock=w.clock)


@recipe("app.services.disposition.start_appraisal", action="disposition.appraisal_start")
def _appraisal_start(w: World) -> None:
    _appraisal(w)


@recipe("app.services.disposition.record_decision", action="disposition.decision")
def _decision(w: World) -> None:
    from app.services import disposition

    disposition.record_decision(
        session=w.archivist,
        appraisal_id=_appraisal(w),
        volume_id=_expired(w),
        decision="extend",
        new_until=2030,
        reason="仍在诉讼时效内",
        clock=w.clock,
    )


@recipe("app.services.disposition.remove_decision", action="disposition.decision_removed")
def _decision_removed(w: World) -> None:
    from app.services import disposition

    aid, vid = _appraisal(w), _expired(w)
    disposition.record_decision(
        session=w.archivist, appraisal_id=aid, volume_id=vid, decision="destroy", clock=w.clock
    )
    disposition.remove_decision(session=w.archivist, appraisal_id=aid, volume_id=vid, clock=w.clock)


@recipe("app.services.disposition.close_appraisal", action="disposition.appraisal_close")
def _appraisal_close(w: World) -> None:
    _decided(w)


@recipe("app.services.disposition.compile_list", action="disposition.list_compile")
def _list_compile(w: World) -> None:
    _draft_list(w)


@recipe("app.services.disposition.add_list_volumes", action="disposition.list_edit")
def _list_add(w: World) -> None:
    from app.services import disposition

    lid, _vid = _draft_list(w)
    disposition.add_list_volumes(
        session=w.archivist, list_id=lid, volume_ids=[_decided(w)], clock=w.clock
    )


@recipe("app.services.disposition.remove_list_volume", action="disposition.list_edit")
def _list_remove(w: World) -> None:
    from app.services import disposition

    lid, vid = _draft_list(w)
    disposition.remove_list_volume(session=w.archivist, list_id=lid, volume_id=vid, clock=w.clock)


@recipe("app.services.disposition.set_list_row", action="disposition.list_edit")
def _list_row(w: World) -> None:
    from app.services import disposition

    lid, vid = _draft_list(w)
    disposition.set_list_row(
        session=w.archivist,
        list_id=lid,
        volume_id=vid,
        reason="保管期满",
        remarks="含光盘1张",
        clock=w.clock,
    )


@recipe("app.services.disposition.submit_list", action="disposition.list_submit")
def _list_submit(w: World) -> None:
    _submitted(w)


@recipe("app.services.disposition.add_list_note", action="disposition.list_note")
def _list_note(w: World) -> None:
    from app.services import disposition

    lid, _vid = _draft_list(w)
    disposition.add_list_note(session=w.archivist, list_id=lid, text="更正题名", clock=w.clock)


@recipe("app.services.disposition.approve_list", action="disposition.list_approve")
def _list_approve(w: World) -> None:
    _approved_list(w)


@recipe("app.services.disposition.reject_list", action="disposition.list_reject")
def _list_reject(w: World) -> None:
    from app.services import disposition

    disposition.reject_list(
        session=w.manager, list_id=_submitted(w), reason="题名不全", clock=w.clock
    )


@recipe("app.services.disposition.carry_out_list", action="disposition.carry_out")
def _carry_out(w: World) -> None:
    from app.services import disposition

    names = _people(w)["witnesses"]
    assert isinstance(names, tuple)
    disposition.carry_out_list(
        session=w.archivist,
        list_id=_approved_list(w),
        carried_out_on=w.clock.now().date(),
        place="碎纸室",
        method="粉碎",
        witnesses=tuple(disposition.Witness(n, PASSWORD) for n in names),
        clock=w.clock,
    )


@recipe("app.services.disposition.update_disposition_settings", action="settings.disposition")
def _disposition_settings(w: World) -> None:
    from app.services import disposition

    disposition.update_disposition_settings(
        session=w.admin, settings=disposition.DispositionSettings(look_ahead_years=1), clock=w.clock
    )
    disposition.update_disposition_settings(
        session=w.admin, settings=disposition.DispositionSettings(), clock=w.clock
    )


READ_ONLY["app.services.disposition.verify_destructions"] = (
    "reads: the auditor's check of destroyed volumes against their lists"
)


@recipe(
    "app.services.disposition.printing.record_disposition_output",
    action="print.destruction_list",
)
def _disposition_output(w: World) -> None:
    from app.services.disposition import printing

    lid, _vid = _draft_list(w)
    printing.record_disposition_output(
        session=w.archivist, form="destruction_list", object_id=lid, kind="print", clock=w.clock
    )


for _name, _why in {
    "destruction_list_form": "builds the rows; printing is audited by record_disposition_output",
    "destruction_list_pdf": "renders only; see record_disposition_output",
    "certificate_pdf": "renders only; see record_disposition_output",
    "appraisal_form": "builds the rows; see record_disposition_output",
    "appraisal_record_pdf": "renders only; see record_disposition_output",
}.items():
    READ_ONLY[f"app.services.disposition.printing.{_name}"] = _why


# --- statistics reports (issue 19) -------------------------------------------------------------
def _statistics_draft(w: World, *, submit: bool = True) -> int:
    from datetime import date

    from app.services import statistics

    rid = statistics.compile_report(
        session=w.archivist,
        kind="holdings",
        period_from=date(2026, 1, 1),
        period_to=date(2026, 1, 31),
        clock=w.clock,
    )
    if submit:
        statistics.submit_report(session=w.archivist, report_id=rid, clock=w.clock)
    return rid


def _statistics_released(w: World) -> int:
    from app.services import statistics

    rid = _statistics_draft(w)
    statistics.approve_report(session=w.manager, report_id=rid, opinion="同意", clock=w.clock)
    return rid


@recipe("app.services.statistics.compile_report", action="statistics.compile")
def _statistics_compile(w: World) -> None:
    _statistics_draft(w, submit=False)


@recipe("app.services.statistics.submit_report", action="statistics.submit")
def _statistics_submit(w: World) -> None:
    _statistics_draft(w)


@recipe("app.services.statistics.approve_report", action="statistics.approve")
def _statistics_approve(w: World) -> None:
    _statistics_released(w)


@recipe("app.services.statistics.reject_report", action="statistics.reject")
def _statistics_reject(w: World) -> None:
    from app.services import statistics

    statistics.reject_report(
        session=w.manager, report_id=_statistics_draft(w), reason="期间不对", clock=w.clock
    )


@recipe("app.services.statistics.revise_report", action="statistics.revise")
def _statistics_revise(w: World) -> None:
    from app.services import statistics

    statistics.revise_report(
        session=w.archivist,
        report_id=_statistics_released(w),
        table_key="summary",
        row_label="页",
        column=1,
        new_value="12345",
        note="补登",
        clock=w.clock,
    )


@recipe("app.services.statistics.record_distribution", action="statistics.distribute")
def _statistics_distribute(w: World) -> None:
    from app.services import statistics

    statistics.record_distribution(
        session=w.archivist,
        report_id=_statistics_released(w),
        recipient="总经理办公室",
        copies=2,
        given_on=w.clock.now().date(),
        clock=w.clock,
    )


@recipe("app.services.statistics.set_statistics_routing", action="statistics.routing")
def _statistics_routing(w: World) -> None:
    from app.domain.statistics import DEFAULT_ROUTING
    from app.services import statistics

    statistics.set_statistics_routing(
        session=w.admin,
        routing={k: [list(s) for s in v] for k, v in DEFAULT_ROUTING.items()},
        clock=w.clock,
    )


@recipe("app.services.statistics.export_stored_report", action="statistics.export")
def _statistics_export_stored(w: World) -> None:
    from app.services import statistics
    from app.services.exports import ExportFormat

    statistics.export_stored_report(
        session=w.archivist,
        report_id=_statistics_released(w),
        fmt=ExportFormat.XLSX,
        clock=w.clock,
    )


@recipe("app.services.statistics.export_report", action="statistics.export")
def _statistics_export(w: World) -> None:
    from datetime import date

    from app.services import statistics
    from app.services.exports import ExportFormat

    report = statistics.compute_report(
        session=w.archivist,
        kind="use",
        period_from=date(2026, 1, 1),
        period_to=date(2026, 1, 31),
        clock=w.clock,
    )
    statistics.export_report(
        session=w.archivist, report=report, fmt=ExportFormat.XLSX, clock=w.clock
    )
