"""Dialogs: collect input, call one service, report the outcome."""
