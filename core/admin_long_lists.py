"""What the admins of the longest lists share (20,000 organisations, millions of attendance
rows): a page costs the same whatever the size of the table.

- The count: the planner's estimate of the whole table when the list is unfiltered on
  PostgreSQL (core/paginator.py), and no second count of the whole table next to a
  filtered one (``show_full_result_count``).
- Fifty rows a page: each row of an admin list costs more to render than its query.
- The rows' check boxes written directly: Django renders each through the form widgets'
  template engine, which costs more than the rest of the row; the HTML is the same.

Each admin still chooses an order its indexes serve and the columns that may sort.
"""

from django.contrib.admin import helpers
from django.utils.html import format_html
from django.utils.translation import gettext

from .paginator import EstimatedCountPaginator

# Django's own label for a row's check box, translated by Django's catalogue (a variable:
# not one of the portal's messages).
_CHECKBOX_LABEL = "Select this object for an action - {}"


class LongListAdminMixin:
    """For a ModelAdmin whose list may hold tens of thousands of rows or more."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50

    def action_checkbox(self, obj):
        """Django's check box of a row (ModelAdmin.action_checkbox), without a template."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(gettext(_CHECKBOX_LABEL), str(obj)),
        )
