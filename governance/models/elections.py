"""COPIL seats, mandates, elections, proxies and ballots (art. 6)."""

__all__: list[str] = []
