"""Revaluation pages, one module per feature (``revaluation.journal_urls`` imports each); how the
grid shows lines is ``revaluation.presentation``."""
