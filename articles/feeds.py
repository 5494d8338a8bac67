"""RSS 2.0 feeds, in the reader's variant, of published articles only."""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from portal.origin import site_origin

from .models import Article, Category

FEED_SIZE = 30


@dataclass
class FeedScope:
    """What a feed is built from. Its links are absolute on the site's origin (portal.origin),
    never on the scheme the request claims: feeds are kept in the shared page cache."""

    origin: str
    path: str
    category: Category | None = None


class LatestArticlesFeed(Feed):
    def get_object(self, request, *args, **kwargs):
        # The one hook that sees the request (the feed object is shared by every request).
        return FeedScope(origin=site_origin(request), path=request.path)

    def title(self, scope):
        return _("新闻门户") + " · " + _("最新")

    def link(self, scope):
        return scope.origin + reverse("articles:home")

    def feed_url(self, scope):
        return scope.origin + scope.path

    def description(self, scope):
        return _("新闻门户最新发布的文章")

    def articles(self, scope):
        return Article.objects.published().in_variant(translation.get_language()).latest()

    def items(self, scope):
        articles = list(self.articles(scope)[:FEED_SIZE])
        for article in articles:
            article.feed_link = scope.origin + article.get_absolute_url()
        return articles

    def item_link(self, item):
        return item.feed_link

    def item_title(self, item):
        return item.display_title

    def item_description(self, item):
        return item.display_summary

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.display_category]


class CategoryFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        scope = super().get_object(request)
        scope.category = get_object_or_404(Category, slug=slug)
        return scope

    def title(self, scope):
        return _("新闻门户") + " · " + scope.category.display_name(translation.get_language())

    def link(self, scope):
        return scope.origin + scope.category.get_absolute_url()

    def description(self, scope):
        return self.title(scope)

    def articles(self, scope):
        return super().articles(scope).filter(category=scope.category)
