"""The 鉴定销毁 page (issue 17): appraisal queue, 销毁清册, holds."""

from ui.pages.disposition.page import DispositionPage

__all__ = ["DispositionPage"]
