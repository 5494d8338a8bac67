from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.urls import get_script_prefix
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from . import VARIANTS, path_in_variant


@never_cache
def switch_variant(request, code):
    """Save the reader's choice in a cookie and show the same page in that variant.

    A plain link (no JavaScript, no form): ``/variant/zh-tw/?next=/zh-hans/articles/1/``.
    """
    if code not in VARIANTS:
        raise Http404
    next_path = request.GET.get("next", "")
    safe = next_path.startswith("/") and url_has_allowed_host_and_scheme(
        next_path, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    prefix = get_script_prefix().rstrip("/")
    if not safe:
        next_path = "/"
    if prefix and next_path.startswith(prefix + "/"):
        next_path = next_path[len(prefix) :]
    response = HttpResponseRedirect(prefix + path_in_variant(next_path, code))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.HTTPS,
        httponly=True,
    )
    return response
