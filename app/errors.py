"""Typed errors raised by services; they carry codes and fields, never personal values.

The UI and the command line turn them into Chinese messages through ``app.messages``.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any


class AppError(Exception):
    """Base of every error a user can cause or fix.

    Attributes:
        code: stable identifier looked up in ``app.messages.MESSAGES``.
        params: values for the message template (never personal data).
    """

    code = "app_error"

    def __init__(self, **params: Any) -> None:
        self.params: dict[str, Any] = params
        super().__init__(f"{self.code} {params}" if params else self.code)


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field."""

    field: str
    reason: str
    params: dict[str, Any] = dc_field(default_factory=dict)


class ValidationFailed(AppError):
    """One or more fields are wrong; nothing was saved."""

    code = "validation_failed"

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__(fields=",".join(e.field for e in errors))

    def __str__(self) -> str:
        return "validation_failed: " + ", ".join(f"{e.field}={e.reason}" for e in self.errors)


# --- storage ---------------------------------------------------------------------------
class StorageError(AppError):
    """A problem with the database or the files beside it."""


class DatabaseMissing(StorageError):
    """The database file does not exist."""

    code = "database_missing"


class DatabaseCorrupt(StorageError):
    """The database file is damaged (integrity check or header)."""

    code = "database_corrupt"


class ForeignDatabase(StorageError):
    """The file is not an Archive Room database, or does not belong to this keyring."""

    code = "foreign_database"


class DatabaseTooNew(StorageError):
    """The database was written by a newer version of the app; it is left untouched."""

    code = "database_too_new"


class DatabaseNotInitialized(StorageError):
    """The database has never been set up."""

    code = "database_not_initialized"


class DatabaseAlreadyExists(StorageError):
    """Setup was asked to create a database where one already exists."""

    code = "database_exists"


class KeyringMissing(StorageError):
    """The keyring beside the database is missing."""

    code = "keyring_missing"


class KeyringDamaged(StorageError):
    """The keyring is unreadable, altered or swapped."""

    code = "keyring_damaged"


class KeyringTooNew(StorageError):
    """The keyring was written by a newer version of the app."""

    code = "keyring_too_new"


class SessionEnded(AppError):
    """The user signed out (or was signed out); the store is closed."""

    code = "session_ended"


class StorageReadOnly(StorageError):
    """The database folder or file cannot be written."""

    code = "storage_read_only"


class DiskFull(StorageError):
    """The disk holding the database is full."""

    code = "disk_full"


class DatabaseUnavailable(StorageError):
    """A database server cannot be reached or refused the connection."""

    code = "database_unavailable"


class DatabaseBusy(StorageError):
    """Another program holds the database locked."""

    code = "database_busy"


# --- accounts --------------------------------------------------------------------------
class WrongCredentials(AppError):
    """User name or password is wrong (deliberately not saying which)."""

    code = "wrong_credentials"


class AccountLocked(WrongCredentials):
    """Too many failed sign-ins; ``until`` says when the lock ends (kept for the caller only).

    Shown with the very message of a wrong password (issue 23): a guesser cannot tell a locked
    account from a wrong password, nor learn that the password they tried was right.
    """

    code = "wrong_credentials"


class PasswordChangeRequired(AppError):
    """The account holds a one-time password: it may do nothing but choose its own."""

    code = "password_change_required"


class KeyringBusy(AppError):
    """Another sign-in or workstation held the keyring lock for too long."""

    code = "keyring_busy"


class AccountDisabled(AppError):
    """The administrator disabled the account."""

    code = "account_disabled"


class PermissionDenied(AppError):
    """The signed-in user's roles do not allow the action."""

    code = "permission_denied"


class RoleConflict(AppError):
    """The requested combination of roles breaks separation of duties (三员分立)."""

    code = "role_conflict"


class UserNotFound(AppError):
    """No such user."""

    code = "user_not_found"


class CustomerUnreadable(AppError):
    """The customer's protected values cannot be decrypted (key erased or vault damaged)."""

    code = "customer_unreadable"


class RecoveryKeyInvalid(AppError):
    """The recovery key was mistyped or belongs to another database."""

    code = "recovery_key_invalid"


# --- electronic files ----------------------------------------------------------------------
class FixityFailed(AppError):
    """A stored electronic file fails its check (chunk tag, order, end or SHA-256): not opened."""

    code = "file_fixity_failed"


class FileReadFailed(AppError):
    """The file being attached could not be read to the end; nothing was saved."""

    code = "file_read_failed"


class CopyNeedsApproval(AppError):
    """Printing or saving a copy of 机密/绝密 content needs the 总经理's approval (R31)."""

    code = "copy_needs_approval"


class FileMissing(AppError):
    """The blob file of a stored electronic file is gone from ``<db>.files/``: not opened."""

    code = "file_blob_missing"


# --- import and export (issue 10) ----------------------------------------------------------
class ImportFormatUnsupported(AppError):
    """The file is not .xlsx or CSV (old .xls/.et workbooks must be saved as .xlsx first)."""

    code = "import_format_unsupported"


class ImportFileUnreadable(AppError):
    """The file cannot be read as a workbook or CSV (damaged, encrypted, not what it says)."""

    code = "import_file_unreadable"


class ImportSheetEmpty(AppError):
    """The chosen sheet holds nothing at all (no header, no rows)."""

    code = "import_sheet_empty"


class ImportTooLarge(AppError):
    """The file is over a limit (size, uncompressed size, compression ratio, rows, columns)."""

    code = "import_too_large"


class ImportHasRejections(AppError):
    """All-or-nothing was chosen and some rows are wrong: nothing was imported."""

    code = "import_has_rejections"


class ImportCancelled(AppError):
    """The import was cancelled: nothing was imported."""

    code = "import_cancelled"


class ImportUndoRefused(AppError):
    """The import cannot be undone: its rows were changed, used or already undone."""

    code = "import_undo_refused"


# --- consultation and loans (issue 7) ------------------------------------------------------
class SelfApprovalRefused(AppError):
    """An approver tried to decide an application they made or entered themselves (R34)."""

    code = "self_approval_refused"


class ApproverNotInRoute(AppError):
    """The approver's title signs no open step of this application's route (R30–R32)."""

    code = "approver_not_in_route"


class CompilerCannotApprove(AppError):
    """Nobody reviews or approves a statistics report they compiled (seed 000 第13条)."""

    code = "compiler_cannot_approve"


class ReportStepNotYours(AppError):
    """The approver's post signs no open step of this report's route (``needed``: who does)."""

    code = "report_step_not_yours"


class ApplicationNotApproved(AppError):
    """Only a fully approved application may be issued (``state``: its current state)."""

    code = "application_not_approved"


class VolumeAlreadyOut(AppError):
    """The volume is on loan (or in repair) and cannot be lent again (R34)."""

    code = "volume_already_out"


class ScanRejected(AppError):
    """A scanned code failed its check character, or names nothing expected here."""

    code = "loan_scan_rejected"


# --- backup and restore (issue 10) -----------------------------------------------------------
class BackupTargetFailed(StorageError):
    """The backup medium failed (removed, read-only, I/O error); the database is untouched."""

    code = "backup_target_failed"


class BackupCancelled(AppError):
    """The backup or restore was cancelled; nothing was kept."""

    code = "backup_cancelled"


class BackupDamaged(AppError):
    """A backup does not match its manifest (a changed byte, a missing file): refused."""

    code = "backup_damaged"


class BackupForeign(AppError):
    """The backup belongs to another database (or the key does not open it)."""

    code = "backup_foreign"


class BackupUnsupported(AppError):
    """Backups of a PostgreSQL database are made with the server's own tools."""

    code = "backup_unsupported"


class BackupNoTarget(AppError):
    """No backup folder is configured or given."""

    code = "backup_no_target"


class BackupTargetFull(BackupTargetFailed):
    """The backup medium is full (or the file is larger than it allows)."""

    code = "backup_target_full"


class PasswordFileExposed(AppError):
    """A password file for scheduled backups is readable by other accounts."""

    code = "password_file_exposed"


# --- inspections (issue 8) ------------------------------------------------------------------
class InspectionStateRefused(AppError):
    """The session's status does not allow this step (``status``: its label, ``step``)."""

    code = "inspection_state_refused"


class InspectionPaused(AppError):
    """The session is paused: continue it before scanning or changing it."""

    code = "inspection_paused"


class UnresolvedDifferences(AppError):
    """Closing needs every difference resolved or carried over explicitly (``count`` open)."""

    code = "inspection_unresolved"


class VolumeNotAvailable(AppError):
    """The volume cannot go to repair now (``reference_code``, ``state``: 借出/在修/已销毁)."""

    code = "volume_not_available"


# --- trusted time and the sealed audit trail (issue 23) ----------------------------------
class ClockBehind(AppError):
    """The workstation clock (``now``) is behind the recorded time (``mark``): write refused."""

    code = "clock_behind"


class ClockAhead(AppError):
    """The workstation clock is ``days`` ahead of the recorded time: write refused."""

    code = "clock_ahead"


class SecondPersonRequired(AppError):
    """A two-person step: the second person is missing, the same person, or lacks the role."""

    code = "second_person_required"


class AuditSealingStarted(AppError):
    """The verification key was issued already (it is shown only once)."""

    code = "audit_sealing_started"


class AccountLockedUntilReset(AccountLocked):
    """Locked again and again: only an administrator's password reset ends it (not the clock)."""

    code = "account_locked_reset"


# --- keys, vault, sessions (issue 23) ---------------------------------------------------------
class VaultMissing(StorageError):
    """The key vault beside the database is missing; it is not silently made anew."""

    code = "vault_missing"


class VaultForeign(StorageError):
    """The key vault is damaged, or belongs to another database or key."""

    code = "vault_foreign"


class DatabaseInUse(StorageError):
    """Another session holds the database (``holders``: "user@host" list); refused."""

    code = "database_in_use"


# --- staff (issue 20) ---------------------------------------------------------------------------
class CustomerDataSuspended(PermissionDenied):
    """No valid confidentiality agreement, or training overdue: customer data is withheld (R28).

    ``missing`` lists what is lacking in words (no personal values); the account can still sign
    in, and its home screen says the same.
    """

    code = "customer_data_suspended"


class OpenHoldings(AppError):
    """An account still holds things (safes, loans, customers …): hand them over first (R26)."""

    code = "open_holdings"


class PersonConfirmationFailed(AppError):
    """A person confirming at the desk gave a wrong password or is not the person named."""

    code = "person_confirmation_failed"


# --- personal data lifecycle (issue 18) ----------------------------------------------------
class PurposeRefused(AppError):
    """A use of a customer's data that no valid consent or legal basis covers (R4, R36).

    ``purpose``: the purpose asked for; ``why``: the reason in words (no personal data).
    """

    code = "purpose_refused"


class ProvisionRefused(AppError):
    """对外提供 refused (R36): ``why`` says whether the agreement or the consent is missing."""

    code = "provision_refused"


# --- disposition (issue 17: R44, R46) ----------------------------------------------------
class HoldInForce(AppError):
    """A legal hold (冻结) covers the object: ``holds`` names each hold (number and reason)."""

    code = "hold_in_force"


class DispositionRefused(AppError):
    """A step of appraisal or destruction is refused; ``reason`` is a code in the messages.

    Codes: ``self_approval`` (an appraiser or the compiler approving), ``witness_conflict`` (a
    监销人 who compiled or approved the list), ``witness_count`` (not two distinct 监销人),
    ``method_sale`` (出售 and the like, R44), ``method_unknown``, ``list_closed`` (an approved,
    rejected or carried-out list cannot be edited), ``on_other_list``.
    """

    code = "disposition_refused"
