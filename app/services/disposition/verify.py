"""The auditor's check of destructions (R44): every destroyed volume has its approved 清册.

For each volume in state 已销毁: a carried-out 销毁清册 lists it; every step of the list's route
was signed; two distinct 监销人 are recorded, neither the compiler nor an approver; and every
electronic file of the volume is erased. Anything else is a finding.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.clock import Clock
from app.domain import disposition as rules
from app.domain.catalogue import VolumeState
from app.domain.disposition import FILE_DESTROYED
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.disposition.reading import steps_of
from app.storage.models import (
    ArchiveItem,
    DestructionApproval,
    DestructionList,
    DestructionListVolume,
    ItemFile,
    Volume,
)


@dataclass(frozen=True)
class DestructionFinding:
    """A destroyed volume whose evidence is incomplete, and what is missing."""

    volume_id: int
    reference_code: str
    problem: str


@dataclass(frozen=True)
class DestructionCheck:
    """The result: how many destroyed volumes were checked and the findings."""

    volumes: int
    lists: int
    findings: list[DestructionFinding]

    @property
    def ok(self) -> bool:
        """True when every destroyed volume has its evidence."""
        return not self.findings


def verify_destructions(*, session: SignedIn, clock: Clock) -> DestructionCheck:
    """Check every destroyed volume against its 清册, approvals and witnesses (reads only)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "disposition.verify")
        lists = {dl.id: dl for dl in uow.session.scalars(select(DestructionList))}
        approvals: dict[int, list[DestructionApproval]] = {}
        for a in uow.session.scalars(select(DestructionApproval)):
            approvals.setdefault(a.list_id, []).append(a)
        good_lists: dict[int, str] = {}
        for dl in lists.values():
            if dl.state != rules.ListState.DESTROYED.value:
                continue
            steps = steps_of(dl)
            signed = {a.step for a in approvals.get(dl.id, []) if a.decision == "approve"}
            approver_ids = {a.approver_user_id for a in approvals.get(dl.id, [])}
            witnesses = {dl.witness1_id, dl.witness2_id}
            problem = ""
            if not steps or signed != set(range(len(steps))):
                problem = f"清册 {dl.number} 审批不全"
            elif None in witnesses or len(witnesses) != 2:
                problem = f"清册 {dl.number} 监销人不足两名"
            elif witnesses & (approver_ids | {dl.compiled_by}):
                problem = f"清册 {dl.number} 监销人与编制人或审批人重合"
            good_lists[dl.id] = problem
        listed: dict[int, int] = {}
        for listed_vid, listed_lid in uow.session.execute(
            select(DestructionListVolume.volume_id, DestructionListVolume.list_id)
        ).all():
            if good_lists.get(listed_lid) is not None:
                listed[int(listed_vid)] = int(listed_lid)
        live_files = set(
            uow.session.scalars(
                select(ArchiveItem.volume_id)
                .join(ItemFile, ItemFile.item_id == ArchiveItem.id)
                .join(Volume, Volume.id == ArchiveItem.volume_id)
                .where(
                    Volume.state == VolumeState.DESTROYED.value, ItemFile.state != FILE_DESTROYED
                )
            )
        )
        findings = []
        count = 0
        for volume_id, code in uow.session.execute(
            select(Volume.id, Volume.reference_code)
            .where(Volume.state == VolumeState.DESTROYED.value)
            .order_by(Volume.reference_code)
        ).all():
            count += 1
            vid = int(volume_id)
            lid = listed.get(vid)
            if lid is None:
                findings.append(DestructionFinding(vid, code, "没有已执行的销毁清册"))
            elif good_lists[lid]:
                findings.append(DestructionFinding(vid, code, good_lists[lid]))
            if vid in live_files:
                findings.append(DestructionFinding(vid, code, "电子文件未擦除"))
        done = sum(1 for p in good_lists.values() if p == "")
        return DestructionCheck(volumes=count, lists=done, findings=findings)
