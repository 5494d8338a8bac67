"""What every reader's page needs from the newsroom (the Jinja2 engine's context processors)."""

from django.db import DatabaseError
from django.utils import translation

from portal.cache import UNAVAILABLE

from .models import Category


def navigation(request):
    """``category_links()`` for the category bar: (slug, name in the reader's variant)."""

    def category_links():
        try:
            return Category.navigation(translation.get_language())
        except (DatabaseError, *UNAVAILABLE):
            return []  # the page that says the site is unavailable still renders

    return {"category_links": category_links}
