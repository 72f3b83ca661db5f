"""Models of the governance app (filled by its issue)."""
