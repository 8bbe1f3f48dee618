"""人员: staff records, agreements and training, departments and filing, hand-overs, reviews."""

from ui.pages.staff.page import StaffPage

__all__ = ["StaffPage"]
