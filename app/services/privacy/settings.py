"""Privacy settings (issue 18): purposes, legal bases, storage periods, deadlines, approvers.

Stored as ``privacy_*`` keys of the setting table; anything not stored takes the defaults of
``app.domain.privacy``. The administrator changes them (``privacy.settings``).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.clock import Clock
from app.domain import privacy as rules
from app.domain.roles import ApproverTitle
from app.errors import FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.customers.consents import (
    BASES_SETTING,
    IMPORT_BASIS_SETTING,
    PURPOSES_SETTING,
    purpose_settings,
)
from app.storage.store import UnitOfWork

LOST_YEARS_SETTING = "privacy_lost_years"
ANSWER_DAYS_SETTING = "privacy_answer_days"
APPROVERS_SETTING = "privacy_approver_titles"
DEFAULT_APPROVERS: tuple[str, ...] = (
    ApproverTitle.INFO_OFFICER.value,
    ApproverTitle.CS_MANAGER.value,
    ApproverTitle.GENERAL_MANAGER.value,
)


@dataclass(frozen=True)
class PrivacySettings:
    """Everything the lifecycle rules read from the settings."""

    purposes: tuple[str, ...] = rules.DEFAULT_PURPOSES
    bases: dict[str, tuple[str, ...]] | None = None  # None: the defaults
    import_basis: str = rules.BASIS_CONTRACT
    lost_years: int = rules.DEFAULT_LOST_YEARS  # kept this long after a customer is 流失
    answer_days: int = rules.DEFAULT_ANSWER_DAYS  # deadline of a customer's own request
    approver_titles: tuple[str, ...] = DEFAULT_APPROVERS  # who approves an erasure (R8)

    def legal_bases(self) -> dict[str, tuple[str, ...]]:
        """What each legal basis covers."""
        return dict(self.bases) if self.bases is not None else dict(rules.DEFAULT_BASES)


def _int(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def privacy_settings(uow: UnitOfWork) -> PrivacySettings:
    """The privacy settings in force."""
    raw = uow.settings.raw()
    base = purpose_settings(uow)
    titles = raw.get(APPROVERS_SETTING)
    return PrivacySettings(
        purposes=base.purposes,
        bases=base.bases,
        import_basis=base.import_basis,
        lost_years=_int(raw.get(LOST_YEARS_SETTING), rules.DEFAULT_LOST_YEARS),
        answer_days=_int(raw.get(ANSWER_DAYS_SETTING), rules.DEFAULT_ANSWER_DAYS),
        approver_titles=tuple(str(t) for t in titles)
        if isinstance(titles, list) and titles
        else DEFAULT_APPROVERS,
    )


def get_privacy_settings(*, session: SignedIn, clock: Clock) -> PrivacySettings:
    """The settings in force (anyone who handles customers may read them)."""
    with session.uow(clock) as uow:
        return privacy_settings(uow)


def update_privacy_settings(*, session: SignedIn, settings: PrivacySettings, clock: Clock) -> None:
    """Store new privacy settings (administrator); audited with old and new values."""
    errors: list[FieldError] = []
    purposes = tuple(dict.fromkeys(p.strip() for p in settings.purposes if p.strip()))
    if not purposes:
        errors.append(FieldError("settings", "required"))
    bases = settings.legal_bases()
    if any(p not in purposes for covered in bases.values() for p in covered):
        errors.append(FieldError("consent.basis", "unknown_purpose"))
    if settings.import_basis not in bases:
        errors.append(FieldError("consent.basis", "unknown_basis"))
    if not 0 <= settings.lost_years <= 50:
        errors.append(FieldError("lost_years", "range", {"min": 0, "max": 50}))
    if not 1 <= settings.answer_days <= 60:
        errors.append(FieldError("answer_days", "range", {"min": 1, "max": 60}))
    known = {t.value for t in ApproverTitle}
    if not settings.approver_titles or any(t not in known for t in settings.approver_titles):
        errors.append(FieldError("approver_titles", "required"))
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "privacy.settings")
        old = privacy_settings(uow)
        uow.settings.put_many(
            {
                PURPOSES_SETTING: list(purposes),
                BASES_SETTING: {k: list(v) for k, v in bases.items()},
                IMPORT_BASIS_SETTING: settings.import_basis,
                LOST_YEARS_SETTING: settings.lost_years,
                ANSWER_DAYS_SETTING: settings.answer_days,
                APPROVERS_SETTING: list(settings.approver_titles),
            }
        )
        uow.audit.record(
            "privacy.settings",
            object_type="setting",
            object_id="privacy",
            details={
                "old": {"purposes": list(old.purposes), "lost_years": old.lost_years},
                "new": {
                    "purposes": list(purposes),
                    "lost_years": settings.lost_years,
                    "answer_days": settings.answer_days,
                    "import_basis": settings.import_basis,
                    "approver_titles": list(settings.approver_titles),
                },
            },
        )
        uow.commit()
