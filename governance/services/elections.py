"""Services for COPIL seats, elections, proxies and ballots (art. 6)."""
