"""Enums whose members carry their Chinese label, so a value and its label are written once."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class LabelledEnum(StrEnum):
    """A :class:`StrEnum` member declared with its label: ``PAPER = "paper", "纸质"``.

    The member is still the plain string ``"paper"`` (stored, compared and hashed as before);
    ``member.label`` is its label and :meth:`labels` the ``{member: label}`` table in order.
    """

    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        """A member from its declaration ``value, label`` (lookups by value do not come here)."""
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict[Self, str]:
        """Every member with its label, in declaration order."""
        return {member: member.label for member in cls}
