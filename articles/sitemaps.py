from types import SimpleNamespace

from django.contrib.sitemaps import Sitemap

from portal.origin import origin_for_host

from .models import Article, Category


class SiteSitemap(Sitemap):
    """Locations on the site's origin (portal.origin), not on the scheme the request claims."""

    def get_urls(self, page=1, site=None, protocol=None):
        scheme, host = origin_for_host(site.domain).split("://", 1)
        return super().get_urls(page, site=SimpleNamespace(domain=host), protocol=scheme)


class ArticleSitemap(SiteSitemap):
    changefreq = "daily"
    limit = 5000
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return Article.objects.published().only("id", "updated_at").order_by("-published_at", "-id")

    def lastmod(self, article):
        return article.updated_at


class CategorySitemap(SiteSitemap):
    changefreq = "hourly"
    i18n = True
    alternates = True

    def items(self):
        return Category.objects.only("slug")


sitemaps = {"articles": ArticleSitemap, "categories": CategorySitemap}
