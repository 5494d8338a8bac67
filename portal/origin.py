"""The origin (scheme and host) of every absolute link the site writes: canonical, hreflang,
og:url, RSS, sitemap, robots.txt, e-mails to moderators.

``SITE_URL`` when it is set; otherwise the scheme the site is configured for (``HTTPS``) with
the request's host. Never the scheme the request arrived with: a client can claim https in
``X-Forwarded-Proto``, and a page cached with links built from that claim would be served to
every reader. The host is safe to use: ``get_host`` accepts only ``ALLOWED_HOSTS``, and the page
cache keys pages by host.
"""

from django.conf import settings


def origin_for_host(host: str) -> str:
    """``https://news.example.com`` (no trailing slash) for a request to ``host``."""
    if settings.SITE_URL:
        return settings.SITE_URL
    scheme = "https" if settings.HTTPS else "http"
    return f"{scheme}://{host}"


def site_origin(request) -> str:
    return origin_for_host(request.get_host())


def absolute_url(request, path: str) -> str:
    """``path`` (as ``reverse`` or ``get_absolute_url`` give it) on the site's origin."""
    return site_origin(request) + path


def context(request) -> dict:
    """Context processor for the readers' templates: ``site_origin``."""
    return {"site_origin": site_origin(request)}
