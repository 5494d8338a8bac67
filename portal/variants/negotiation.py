"""Which variant a reader gets when the URL does not say: saved choice, else Accept-Language."""

from django.conf import settings
from django.utils.translation.trans_real import parse_accept_lang_header

from . import DEFAULT_VARIANT, VARIANTS


def variant_for_language_tag(tag: str) -> str | None:
    """Map a BCP 47 tag to a variant; None when the tag is not Chinese at all.

    An explicit script wins over the region (zh-Hans-HK reads Simplified); otherwise Taiwan
    reads zh-tw, Hong Kong and Macau read zh-hk, other Traditional zh-hant, the rest zh-hans.
    """
    parts = tag.lower().replace("_", "-").split("-")
    if parts[0] != "zh":
        return None
    if "hans" in parts:
        return "zh-hans"
    if "tw" in parts:
        return "zh-tw"
    if "hk" in parts or "mo" in parts:
        return "zh-hk"
    if "hant" in parts:
        return "zh-hant"
    return "zh-hans"


def variant_from_request(request) -> str:
    saved = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if saved in VARIANTS:
        return saved
    # Django's parser caps the header's length and orders the tags by quality.
    for tag, quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        variant = variant_for_language_tag(tag) if quality > 0 else None
        if variant:
            return variant
    return DEFAULT_VARIANT
