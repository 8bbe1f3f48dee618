"""Who is acting: the signed-in user as a frozen value passed to every service."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.roles import ApproverTitle, Role


@dataclass(frozen=True)
class Actor:
    """The signed-in user (a snapshot taken at sign-in; services re-check against the database)."""

    user_id: int
    username: str
    display_name: str
    roles: frozenset[Role]
    approver_title: ApproverTitle | None = None
    must_change_password: bool = False

    def has(self, role: Role) -> bool:
        """Return True when the user holds ``role``."""
        return role in self.roles


SYSTEM_ACTOR_NAME = "系统"
