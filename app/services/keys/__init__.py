"""Key rotation: replace the data key when an account is disabled or a leak is suspected."""

from app.services.keys.rotation import (
    RotationReport,
    request_rotation,
    rotate_data_key,
    run_due_rotation,
    upgrade_legacy_slot,
)

__all__ = [
    "RotationReport",
    "request_rotation",
    "rotate_data_key",
    "run_due_rotation",
    "upgrade_legacy_slot",
]
