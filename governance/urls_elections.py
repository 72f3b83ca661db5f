"""Pages of COPIL elections (mounted at /elections/)."""

app_name = "elections"
urlpatterns: list = []
