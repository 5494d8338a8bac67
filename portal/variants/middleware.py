from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from .negotiation import variant_from_request


class VariantMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware with our own negotiation for unprefixed URLs.

    Django would map zh-MO to zh-hant and ignore regional tags it has no catalog for; readers
    from Macau read Hong Kong forms. The parent's process_response still does the redirect of
    an unprefixed path to its prefixed form, using the variant chosen here.
    """

    def process_request(self, request):
        variant = translation.get_language_from_path(request.path_info)
        if variant is None:
            variant = variant_from_request(request)
        translation.activate(variant)
        request.LANGUAGE_CODE = translation.get_language()
