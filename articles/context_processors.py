"""What every reader's page needs from the newsroom (the Jinja2 engine's context processors)."""

from django.utils import translation

from .models import Category


def navigation(request):
    """``category_links()`` for the category bar: (slug, name in the reader's variant)."""
    return {"category_links": lambda: Category.navigation(translation.get_language())}
