"""Services for commissions, referents and charter revision (art. 8, 9, 10)."""
