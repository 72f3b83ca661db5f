"""What the pages of the subjects share (commissions, referents, charter revision)."""

from django.shortcuts import render


def form_page(request, *, title, form, intro="", back=None, multipart=False):
    """A form page; a sent form shown again is one the rules refused: 400."""
    return render(
        request,
        "governance/commissions/form.html",
        {"title": title, "form": form, "intro": intro, "back": back, "multipart": multipart},
        status=400 if form.is_bound else 200,
    )
