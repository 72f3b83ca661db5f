"""Models of the activities app (filled by its issue)."""
