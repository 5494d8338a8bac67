"""RSS 2.0 feeds, in the reader's variant, of published articles only."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Article, Category

FEED_SIZE = 30


class LatestArticlesFeed(Feed):
    def title(self):
        return _("新闻门户") + " · " + _("最新")

    def link(self):
        return reverse("articles:home")

    def description(self):
        return _("新闻门户最新发布的文章")

    def articles(self):
        return Article.objects.published().in_variant(translation.get_language()).latest()

    def items(self):
        return self.articles()[:FEED_SIZE]

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
        return get_object_or_404(Category, slug=slug)

    def title(self, category):
        return _("新闻门户") + " · " + category.display_name(translation.get_language())

    def link(self, category):
        return category.get_absolute_url()

    def description(self, category):
        return self.title(category)

    def items(self, category):
        return self.articles().filter(category=category)[:FEED_SIZE]
