from django.urls import translate_url
from django.utils import translation

from . import DEFAULT_VARIANT, VARIANTS


def variants(request):
    """The current variant and the same page in every variant (switcher, hreflang)."""
    current = VARIANTS.get(translation.get_language(), VARIANTS[DEFAULT_VARIANT])
    path = request.path
    alternates = [(v, translate_url(path, v.code)) for v in VARIANTS.values()]
    return {"variant": current, "variant_alternates": alternates}
