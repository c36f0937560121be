"""Inventory pages, one module per feature: the item journal, the items page, Adjust Cost, the
Inventory Valuation report and the general ledger pages (``inventory.urls`` imports each)."""
