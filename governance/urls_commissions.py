"""Pages of commissions, referents and charter revision (mounted at the site root)."""

app_name = "commissions"
urlpatterns: list = []
