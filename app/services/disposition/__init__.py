"""Disposition (issue 17: R44, R46): legal holds, the appraisal queue, appraisals, 销毁清册.

Submodules import each other, never this package; callers import the use cases from here.
"""

from app.domain.disposition import HoldRef, VolumeQuery
from app.services.disposition.holds import (
    HoldRow,
    held_volume_clause,
    holds_covering_customer,
    holds_covering_volume,
    holds_covering_volumes,
    list_holds,
    place_hold,
    refuse_if_held,
    release_hold,
)

__all__ = [
    "HoldRef",
    "HoldRow",
    "VolumeQuery",
    "held_volume_clause",
    "holds_covering_customer",
    "holds_covering_volume",
    "holds_covering_volumes",
    "list_holds",
    "place_hold",
    "refuse_if_held",
    "release_hold",
]
