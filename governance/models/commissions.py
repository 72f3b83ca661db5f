"""Commissions, referents and charter revision (art. 8, 9, 10)."""

__all__: list[str] = []
