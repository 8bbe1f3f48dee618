"""客户 page: the index (search as you type), the masked list, the detail pane and its actions.

``page`` builds the page and runs the list; ``detail`` is the right-hand pane (masked detail,
history, incidents); ``actions`` holds what the buttons do (new, edit, status, export, reveal).
"""

from ui.pages.customers.page import CustomersPage

__all__ = ["CustomersPage"]
