"""Site-wide endpoints that belong to no app: health check, robots.txt, favicon.ico, the login
lockout, the 404 and 500 pages."""

import logging
import sys

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import DatabaseError, connection
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.static import serve

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


@require_safe
@cache_control(max_age=86400, public=True)
def favicon_ico(request):
    """/favicon.ico, which browsers, feed readers and bookmarks ask for whatever the page links
    (pages link static/favicon.svg too). Served here rather than redirected: a permanent
    redirect to a hashed static name would outlive the next deployment's hash."""
    return FileResponse(open(finders.find("favicon.ico"), "rb"), content_type="image/x-icon")


def page_not_found(request, exception=None):
    """handler404: the site's own page (Jinja2, in the reader's variant)."""
    return render(request, "404.html", status=404)


def server_error(request):
    """handler500. An error because PostgreSQL is unreachable is an outage, not a bug: 503 with
    ``Retry-After`` and the friendly page (Django calls this inside its ``except`` block, so
    the exception being handled is at hand)."""
    error = sys.exc_info()[1]
    if isinstance(error, DatabaseError):
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "30"
        return response
    return render(request, "500.html", status=500)


def login_locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a refused login says why, for how long, in the admin's language."""
    log.warning(
        "admin login refused after repeated failures: username %r from %s",
        (credentials or {}).get("username", ""),
        getattr(request, "axes_ip_address", ""),
    )
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": -(-seconds // 60)}
    response = render(request, "admin/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def media_file(request, path):
    """A photo's file from MEDIA_ROOT, when no web server in front serves them (`make run`).
    A file's name never changes (a new upload gets a new name), so it may be kept a year."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
