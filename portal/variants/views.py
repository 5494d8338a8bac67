from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.urls import translate_url
from django.utils.http import url_has_allowed_host_and_scheme

from . import DEFAULT_VARIANT, VARIANTS


def switch_variant(request, code):
    """Save the reader's choice in a cookie and show the same page in that variant."""
    if code not in VARIANTS:
        raise Http404
    next_path = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_path, allowed_hosts={request.get_host()}):
        next_path = f"/{DEFAULT_VARIANT}/"
    response = HttpResponseRedirect(translate_url(next_path, code))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.HTTPS,
    )
    return response
