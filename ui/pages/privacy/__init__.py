"""个人信息 area (issue 18): storage queue, erasure requests, customers' requests, recipients."""

from ui.pages.privacy.page import PrivacyPage, show_customer_report

__all__ = ["PrivacyPage", "show_customer_report"]
