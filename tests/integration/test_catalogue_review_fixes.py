"""Regression tests for the access review of the catalogue (each once reproduced a leak)."""

from __future__ import annotations

import pytest

from app.clock import FixedClock
from app.domain.roles import ApproverTitle, Role
from app.errors import PermissionDenied, ValidationFailed
from app.services import users
from app.services.auth import SignedIn, sign_out
from app.services.catalogue import (
    ItemDraft,
    add_item,
    declassify_expired,
    extend_secrecy,
    get_volume,
    list_volumes,
    search_catalogue,
    secrecy_review_queue,
)
from app.storage.location import DatabaseLocation
from app.storage.models import Volume
from tests.factories import classified_item, sign_in_as
from tests.integration.test_catalogue import customer, volume_with_item
from tests.integration.test_catalogue import volume as catalogue_volume


def volume(session: SignedIn, clock: FixedClock, cid: int, title: str) -> int:
    return catalogue_volume(session, clock, cid, title=title)


def test_the_review_queue_and_extension_respect_the_volumes_level(
    admin: SignedIn, archivist: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    cid = customer(archivist, clock)
    vid = volume_with_item(
        archivist, clock, cid, "机密主件", "confidential", title="机密并购谈判卷"
    )
    soon = classified_item(archivist, clock, vid, "某客户收购报价单", days_ago=340)
    head = sign_in_as(admin, location, clock, "head", [Role.APPROVER], ApproverTitle.DEPT_HEAD)
    try:
        assert secrecy_review_queue(session=head, clock=clock) == []
        with pytest.raises(ValidationFailed) as refused:
            extend_secrecy(session=head, item_id=soon, term_years=5, note="延长", clock=clock)
        assert refused.value.errors[0].reason == "no_clearance"
    finally:
        sign_out(session=head, clock=clock)


def test_a_changed_post_takes_effect_at_once(
    admin: SignedIn,
    officer: SignedIn,
    archivist: SignedIn,
    location: DatabaseLocation,
    clock: FixedClock,
) -> None:
    cid = customer(archivist, clock)
    vid = volume_with_item(archivist, clock, cid, "绝密件题名", "top_secret", title="绝密卷题名")
    manager = sign_in_as(admin, location, clock, "mgr", [Role.APPROVER], ApproverTitle.CS_MANAGER)
    try:
        assert get_volume(session=manager, volume_id=vid, clock=clock).title == "绝密卷题名"
        uid = next(
            u.id for u in users.list_users(session=admin, clock=clock) if u.username == "mgr"
        )
        users.set_roles(  # roles and posts are the 安全保密员's to grant (三员分立)
            session=officer,
            user_id=uid,
            roles=[Role.APPROVER],
            approver_title=ApproverTitle.DEPT_HEAD,
            clock=clock,
        )
        assert get_volume(session=manager, volume_id=vid, clock=clock).restricted
        assert search_catalogue(session=manager, query="绝密件题名", clock=clock) == []
    finally:
        sign_out(session=manager, clock=clock)


def test_an_older_classified_volume_keeps_its_level_when_items_are_added(
    admin: SignedIn, archivist: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> None:
    cid = customer(archivist, clock)
    vid = volume(archivist, clock, cid, "旧系统机密卷")
    with archivist.uow(clock) as uow:  # as migration 0003 leaves a volume from before items
        found = uow.session.get(Volume, vid)
        assert found is not None
        found.secrecy_level = "confidential"
        uow.commit()
    add_item(session=archivist, volume_id=vid, draft=ItemDraft(title="普通件"), clock=clock)
    auditor = sign_in_as(admin, location, clock, "aud", [Role.AUDITOR], None)
    try:
        v = get_volume(session=auditor, volume_id=vid, clock=clock)
        assert v.restricted and v.title == "受限" and v.state == ""
        assert list_volumes(session=auditor, clock=clock, customer_id=cid) == []
        with pytest.raises(PermissionDenied):
            declassify_expired(session=auditor, clock=clock)  # a write: not the auditor's
    finally:
        sign_out(session=auditor, clock=clock)
    with archivist.uow(clock) as uow:  # an older 绝密 volume takes 绝密 items only
        found = uow.session.get(Volume, vid)
        assert found is not None
        found.secrecy_level = "top_secret"
        uow.commit()
    with pytest.raises(ValidationFailed) as mixed:
        add_item(session=archivist, volume_id=vid, draft=ItemDraft(title="普通件二"), clock=clock)
    assert mixed.value.errors[0].reason == "top_secret_volume"
