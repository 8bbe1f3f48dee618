"""Printed statistics reports (issue 19): ReportLab charts and the report form."""
