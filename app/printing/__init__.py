"""Printed forms and labels (ReportLab, embedded CJK TrueType font)."""
