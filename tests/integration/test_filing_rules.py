"""One validation (issue 21 point 6): what 打印备考表 refuses is refused when saving."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.clock import FixedClock
from app.errors import ValidationFailed
from app.messages import describe_field_error
from app.services.auth import SignedIn
from app.services.catalogue import (
    ItemDraft,
    VolumeDetails,
    VolumeDraft,
    add_item,
    create_volume,
    get_volume_details,
    update_volume_details,
    volume_note_pdf,
)
from tests.integration.test_catalogue import customer


def _draft(cid: int, **kw: object) -> VolumeDraft:
    values: dict[str, object] = {
        "customer_id": cid,
        "year": 2024,
        "title": "张三丰2024年度客户档案",
        "retention": "Y",
    }
    values.update(kw)
    return VolumeDraft(**values)  # type: ignore[arg-type]


def _reasons(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field: e.reason for e in exc.value.errors}


def test_a_volume_with_notes_none_and_no_checker_is_refused_at_save_with_the_printing_messages(
    archivist: SignedIn, clock: FixedClock
) -> None:
    cid = customer(archivist, clock)
    today = clock.now().date()
    with pytest.raises(ValidationFailed) as refused:
        create_volume(
            session=archivist,
            draft=_draft(cid, compiled_by="李秀英", compiled_on=today, notes="无"),
            clock=clock,
        )
    assert _reasons(refused) == {"notes": "notes_empty", "checked_by": "required"}
    messages = [describe_field_error(e) for e in refused.value.errors]
    assert "检查人：不能为空" in messages
    assert any(m.startswith("本卷情况说明：") and "不能为空或只写“无”" in m for m in messages)

    # no 立卷时间 either: the same reason 打印备考表 gives
    with pytest.raises(ValidationFailed) as undated:
        create_volume(
            session=archivist,
            draft=_draft(cid, compiled_by="李秀英", checked_by="赵磊", notes="原件齐全"),
            clock=clock,
        )
    assert _reasons(undated) == {"compiled_on": "required"}

    # complete: saved, and its 备考表 prints
    saved = create_volume(
        session=archivist,
        draft=_draft(
            cid, compiled_by="李秀英", checked_by="赵磊", compiled_on=today, notes="原件齐全"
        ),
        clock=clock,
    )
    assert volume_note_pdf(session=archivist, volume_id=saved.volume_id, clock=clock).startswith(
        b"%PDF"
    )


def test_a_bare_volume_is_filed_and_its_note_sheet_is_completed_by_the_edit(
    archivist: SignedIn, clock: FixedClock
) -> None:
    cid = customer(archivist, clock)
    vid = create_volume(session=archivist, draft=_draft(cid), clock=clock).volume_id
    today = clock.now().date()
    add_item(
        session=archivist,
        volume_id=vid,
        draft=ItemDraft(title="委托代理合同", doc_date=today - timedelta(days=3)),
        clock=clock,
    )
    view = get_volume_details(session=archivist, volume_id=vid, clock=clock)

    def edit(details: VolumeDetails) -> None:
        update_volume_details(
            session=archivist,
            volume_id=vid,
            details=details,
            expected_version=view.version,
            clock=clock,
        )

    with pytest.raises(ValidationFailed) as partial:
        edit(VolumeDetails(view.details.title, "李秀英", "", today, "无"))
    assert _reasons(partial) == {"checked_by": "required", "notes": "notes_empty"}
    with pytest.raises(ValidationFailed) as early:
        edit(VolumeDetails(view.details.title, "李秀英", "赵磊", today - timedelta(days=5), "齐全"))
    assert _reasons(early) == {"compiled_on": "before_latest_item"}
    # nothing saved by the refusals
    assert get_volume_details(session=archivist, volume_id=vid, clock=clock).version == view.version

    edit(VolumeDetails(view.details.title, "李秀英", "赵磊", today, "原件齐全，无缺损。"))
    assert volume_note_pdf(session=archivist, volume_id=vid, clock=clock).startswith(b"%PDF")
