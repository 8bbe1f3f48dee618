"""Loan desk dialogs: new application, approver sign-in and decision, return count, one text."""

from ui.dialogs.loans.application import PURPOSES, ApplicationDialog
from ui.dialogs.loans.approval import ApprovalDialog
from ui.dialogs.loans.returns import ReturnDialog
from ui.dialogs.loans.sign_in import ApproverSignInDialog
from ui.dialogs.loans.text import TextDialog

__all__ = [
    "PURPOSES",
    "ApplicationDialog",
    "ApprovalDialog",
    "ApproverSignInDialog",
    "ReturnDialog",
    "TextDialog",
]
