from django import template

from portal import pagecache

register = template.Library()


@register.simple_tag
def hole(name):
    """A per-request value in an otherwise cacheable page (see portal.pagecache)."""
    return pagecache.hole(name)
