"""Small utilities every part shares: sentence spans and word stems, citation markers, templates, SQLite."""
