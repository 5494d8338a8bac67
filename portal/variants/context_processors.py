from urllib.parse import urlencode

from django.urls import get_script_prefix
from django.utils import translation

from . import DEFAULT_VARIANT, VARIANTS, path_in_variant

# Query parameters that name a different page (others, e.g. tracking, are left out of links and
# out of page-cache keys). A view that reads another parameter must be added here.
PAGE_PARAMETERS = ("q", "page", "cpage")


def variants(request):
    """The current variant and the same page in every variant (switcher, hreflang)."""
    current = VARIANTS.get(translation.get_language(), VARIANTS[DEFAULT_VARIANT])
    kept = [(k, v) for k in PAGE_PARAMETERS for v in request.GET.getlist(k)[:1] if v]
    path = request.path_info + (f"?{urlencode(kept)}" if kept else "")
    prefix = get_script_prefix().rstrip("/")
    alternates = [(v, prefix + path_in_variant(path, v.code)) for v in VARIANTS.values()]
    return {"variant": current, "variant_alternates": alternates}
