"""Site-wide endpoints that belong to no app: health check and robots.txt."""

import logging

from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from portal.origin import absolute_url

log = logging.getLogger(__name__)


@require_safe
def healthz(request):
    """200 when PostgreSQL answers a query, 503 (never a traceback) when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        log.warning("health check failed: %s", str(error).splitlines()[0] if str(error) else error)
        connection.close_if_unusable_or_obsolete()
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@require_safe
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    sitemap = absolute_url(request, reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /variant/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
