from django import template
from django.utils import translation

from ..models import Category

register = template.Library()


@register.simple_tag
def category_links():
    """(slug, name in the reader's variant) for the navigation, in editors' order."""
    variant = translation.get_language()
    return [
        (c.slug, c.display_name(variant))
        for c in Category.objects.only("slug", "name", "name_variants")
    ]
