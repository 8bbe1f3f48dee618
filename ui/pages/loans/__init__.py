"""借阅: the loan desk page and its tabs."""

from ui.pages.loans.page import LoansPage

__all__ = ["LoansPage"]
