"""Readers' pages. Every list starts from ``Article.objects.published()``; text comes in the
reader's variant from renderings stored at save time."""

from functools import partial

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView

from portal import pagecache

from .feeds import CategoryFeed, LatestArticlesFeed
from .models import Article, Category
from .queries import NewestArticles
from .search import results_page


class PublishedArticlesMixin:
    """The published articles, fetched in the reader's variant."""

    paginate_by = 20

    @property
    def variant(self) -> str:
        return translation.get_language()

    def published(self, *, body: bool = False):
        return Article.objects.published().in_variant(self.variant, body=body)


class HomeView(PublishedArticlesMixin, ListView):
    template_name = "articles/home.html"

    def get_queryset(self):
        return NewestArticles(self.variant)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["headline"] = NewestArticles.headline(self.variant)
        context["hot"] = self.published().hot_ranking()
        return context


class CategoryView(PublishedArticlesMixin, ListView):
    template_name = "articles/category_detail.html"

    def get_queryset(self):
        self.category = get_object_or_404(Category, slug=self.kwargs["slug"])
        return NewestArticles(self.variant, self.category.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["category"] = self.category
        context["category_name"] = self.category.display_name(self.variant)
        return context


class ArticleDetailView(PublishedArticlesMixin, DetailView):
    """One article. Staff who may change articles also see drafts and scheduled ones here."""

    def get_object(self, queryset=None):
        if self.request.user.has_perm("articles.change_article"):
            return super().get_object(Article.objects.in_variant(self.variant, body=True))
        article = Article.for_reader(self.kwargs["pk"], self.variant)
        if article is None:
            raise Http404("no such published article")
        return article

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        # The heat figure is a hole filled per request; reads count only on reader-visible pages.
        response.page_meta = {"heat": self.object.heat, "folded": self.object.heat_reads_folded}
        if self.object.is_visible:
            response.page_meta["article_id"] = self.object.pk
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        neighbours = article.neighbours(self.variant)
        context["previous_article"] = neighbours["previous"]
        context["next_article"] = neighbours["next"]
        context["related"] = neighbours["related"]
        context["is_preview"] = not article.is_visible
        return context


@require_GET
def search_view(request):
    articles = Article.objects.published().in_variant(translation.get_language())
    found = results_page(articles, request.GET.get("q", ""), request.GET.get("page"))
    context = {
        "found": found,
        "q": found.q,
        "page_obj": found.page_obj,
        "results": found.page_obj.object_list,
    }
    return render(request, "articles/search.html", context)


def count_read(request, meta):
    if "article_id" in meta:
        meta["heat"] = Article.count_read(meta["article_id"], meta["heat"], meta.get("folded", 0))


pagecache.register_hole("heat", lambda request, meta: meta.get("heat", ""))

# What the URLs serve: the views above behind the shared page cache (see portal.pagecache).
# A cached page lives at most until the next scheduled article goes live.
cached_page = partial(pagecache.cached_page, valid_until=Article.objects.next_due)
home = cached_page()(HomeView.as_view())
category = cached_page()(CategoryView.as_view())
article_detail = cached_page(article_kwarg="pk", on_serve=count_read)(ArticleDetailView.as_view())
search_page = cached_page()(search_view)
latest_feed = cached_page()(LatestArticlesFeed())
category_feed = cached_page()(CategoryFeed())


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
