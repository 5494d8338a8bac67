from django.contrib.sitemaps import Sitemap

from .models import Article, Category


class ArticleSitemap(Sitemap):
    changefreq = "daily"
    limit = 5000
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return Article.objects.published().only("id", "updated_at").order_by("-published_at", "-id")

    def lastmod(self, article):
        return article.updated_at


class CategorySitemap(Sitemap):
    changefreq = "hourly"
    i18n = True
    alternates = True

    def items(self):
        return Category.objects.only("slug")


sitemaps = {"articles": ArticleSitemap, "categories": CategorySitemap}
