from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy

from articles.sitemaps import sitemaps
from portal import views
from portal.variants.views import switch_variant

admin.site.site_header = admin.site.site_title = gettext_lazy("新闻门户")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon_ico, name="favicon_ico"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path("variant/<str:code>/", switch_variant, name="switch_variant"),
    path("admin/", admin.site.urls),
]
if settings.SERVE_MEDIA and settings.MEDIA_URL == "/media/":
    # Photos' files from gunicorn on one box (`make run`). Their names never change (a new
    # upload is a new name), and the edge serves them from disk itself (edge/portal.conf).
    urlpatterns.append(re_path(r"^media/(?P<path>.+)$", views.media_file, name="media"))
urlpatterns += i18n_patterns(
    # Comments first: articles' optional-slug route would otherwise swallow …/<id>/comments/.
    path("", include("comments.urls")),
    path("", include("articles.urls")),
)

# Inside /admin/ in the admin's style and language (comments/errors.py); elsewhere the readers'
# pages (portal/views.py).
handler403 = "comments.errors.permission_denied"
handler404 = "comments.errors.page_not_found"
handler500 = "comments.errors.server_error"
