"""The lifecycle rules of app.domain.privacy (R4, R8, R36): coverage, refusals, storage ends."""

from __future__ import annotations

from datetime import date

from app.domain import privacy as rules

BASES = rules.DEFAULT_BASES


def consent(purposes: dict[str, date | None], until: date | None = None) -> rules.Entry:
    return rules.Entry("consent", "", date(2024, 1, 1), until, purposes)


def basis(name: str = "合同必需", until: date | None = None) -> rules.Entry:
    return rules.Entry("basis", name, date(2024, 1, 1), until, {})


DAY = date(2026, 1, 5)


def test_a_consent_covers_its_purposes_until_withdrawn_or_expired() -> None:
    entry = consent({"营销": None, "客户服务": date(2025, 6, 1)})
    assert rules.covering([entry], "营销", DAY, BASES) is entry
    assert rules.refusal_reason([entry], "客户服务", DAY, BASES) == "withdrawn"
    # a withdrawal dated later has not taken effect yet on an earlier day
    assert rules.covering([entry], "客户服务", date(2025, 5, 31), BASES) is entry
    expired = consent({"营销": None}, until=date(2025, 12, 31))
    assert rules.refusal_reason([expired], "营销", DAY, BASES) == "expired"
    assert rules.refusal_reason([entry], "对外提供", DAY, BASES) == "none"


def test_a_legal_basis_never_covers_marketing_or_provision() -> None:
    assert rules.covering([basis()], "合同履行", DAY, BASES) is not None
    assert rules.covering([basis("法定义务")], "客户服务", DAY, BASES) is not None
    for purpose in ("营销", "对外提供"):
        assert rules.refusal_reason([basis()], purpose, DAY, BASES) == "consent_only"
    # even when a configured basis lists them
    generous = {"合同必需": ("合同履行", "营销", "对外提供")}
    assert rules.covering([basis()], "营销", DAY, generous) is None


def test_the_storage_end_is_the_latest_of_the_three_rules() -> None:
    ended = consent({"合同履行": None}, until=date(2025, 6, 30))
    only_consent = rules.storage_end([ended], lost_on=None, lost_years=3, volume_ends=[])
    assert (only_consent.ends, only_consent.rule) == (date(2025, 6, 30), "consent")
    with_volume = rules.storage_end(
        [ended], lost_on=None, lost_years=3, volume_ends=[date(2040, 12, 31)]
    )
    assert (with_volume.ends, with_volume.rule) == (date(2040, 12, 31), "volumes")
    lost = rules.storage_end([basis()], lost_on=date(2026, 1, 5), lost_years=3, volume_ends=[])
    assert (lost.ends, lost.rule, lost.consent_end) == (date(2029, 1, 5), "lost", date(2026, 1, 5))


def test_open_entries_and_permanent_volumes_mean_no_end() -> None:
    assert rules.storage_end([basis()], lost_on=None, lost_years=3, volume_ends=[]).rule == "open"
    permanent = rules.storage_end(
        [consent({"合同履行": None}, until=date(2025, 1, 1))],
        lost_on=None,
        lost_years=3,
        volume_ends=[None],
    )
    assert permanent.ends is None and permanent.rule == "open"
    assert rules.storage_end([], lost_on=None, lost_years=3, volume_ends=[]).rule == "none"


def test_a_consent_withdrawn_in_full_ends_on_the_last_withdrawal() -> None:
    entry = consent({"合同履行": date(2025, 3, 1), "营销": date(2025, 5, 1)})
    end = rules.storage_end([entry], lost_on=None, lost_years=3, volume_ends=[])
    assert (end.ends, end.rule) == (date(2025, 5, 1), "consent")


def test_the_pseudonym_depends_on_the_number_only() -> None:
    assert rules.pseudonym("KH00000123") == "匿名客户000123"
    assert rules.add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)
