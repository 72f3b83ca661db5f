"""The error summary at the top of a form (WCAG 3.3.1, RGAA 11.10).

Each invalid field already carries ``aria-invalid`` and ``aria-describedby`` pointing to
its message (Django's BoundField, crispy-bootstrap5's ``<id>_error``); the summary lists
every error once, each linked to its field, and is announced (``role="alert"``) and
focused when the page comes back (static/js/error-summary.js).
"""

from django import template

register = template.Library()


@register.inclusion_tag("forms/error_summary.html")
def error_summary(form, formset=None, message=""):
    """The summary of ``form`` (and of the forms of ``formset``, if given), after ``message``."""
    forms = [form] if form else []
    non_field = list(form.non_field_errors()) if form else []
    if formset:
        non_field += list(formset.non_form_errors())
        forms += list(formset.forms)
    fields = [
        {"id": field.id_for_label or field.auto_id, "label": field.label, "error": error}
        for each in forms
        if each.is_bound
        for field in each
        if not field.is_hidden
        for error in field.errors
    ]
    hidden = [error for each in forms for field in each.hidden_fields() for error in field.errors]
    anchor = "erreurs"
    if form and form.prefix:
        anchor = f"erreurs-{form.prefix}"
    return {
        "non_field": non_field + hidden,
        "fields": fields,
        "count": len(non_field) + len(hidden) + len(fields),
        "anchor": anchor,
        "message": message,
    }
