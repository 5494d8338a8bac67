"""Readers' pages. Every list starts from ``Article.objects.published()``; text comes in the
reader's variant from renderings stored at save time. The pages marked ``shared_page`` are served
to anonymous readers from the shared page cache (portal/pagecache.py)."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView

from portal.pagecache import shared_page

from .feeds import CategoryFeed, LatestArticlesFeed
from .models import Article, Category
from .search import results_page

# Lists page through the newest 1,000 articles (50 pages); older news is found by search.
LIST_CAP = 1000


class NewestFirstPaginator(Paginator):
    """Counts at most ``LIST_CAP`` articles: counting 100,000 rows cost more than rendering the
    page; counting 1,000 ids is an index-only scan with a LIMIT."""

    @cached_property
    def count(self):
        return self.object_list.values("pk")[:LIST_CAP].count()


class PublishedArticlesMixin:
    """The published articles, fetched in the reader's variant."""

    paginate_by = 20
    paginator_class = NewestFirstPaginator

    @property
    def variant(self) -> str:
        return translation.get_language()

    def published(self, *, body: bool = False):
        return Article.objects.published().in_variant(self.variant, body=body)


class HomeView(PublishedArticlesMixin, ListView):
    template_name = "articles/home.html"

    def get_queryset(self):
        # The 头条 stands above 最新新闻, so the list leaves it out — on every page, so that
        # pages do not shift by one between page 1 (which shows it) and the rest.
        self.headline = self.published().filter(is_headline=True).latest().first()
        latest = self.published().latest()
        return latest.exclude(pk=self.headline.pk) if self.headline else latest

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["headline"] = self.headline
        context["hot"] = self.published().hot_ranking()
        return context


class CategoryView(PublishedArticlesMixin, ListView):
    template_name = "articles/category_detail.html"

    def get_queryset(self):
        self.category = get_object_or_404(Category, slug=self.kwargs["slug"])
        return self.published().filter(category=self.category).latest()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["category"] = self.category
        context["category_name"] = self.category.display_name(self.variant)
        return context


class ArticleDetailView(PublishedArticlesMixin, DetailView):
    """One article. Staff who may change articles also see drafts and scheduled ones here."""

    def get_object(self, queryset=None):
        if may_preview(self.request):
            return super().get_object(Article.objects.in_variant(self.variant, body=True))
        article = Article.for_reader(self.kwargs["pk"], self.variant)
        if article is None:
            raise Http404("no such published article")
        return article

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        neighbours = article.neighbours(self.variant)
        context["previous_article"] = neighbours["previous"]
        context["next_article"] = neighbours["next"]
        context["related"] = neighbours["related"]
        context["is_preview"] = not article.is_visible
        return context


def may_preview(request) -> bool:
    return request.user.has_perm("articles.change_article")


@require_safe
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


# What the URLs serve: pages PageCacheMiddleware shares among anonymous readers, until content
# changes and at most until the next scheduled article goes live.
reader_page = shared_page(expires_at=Article.objects.next_due)
home = reader_page(HomeView.as_view())
category = reader_page(CategoryView.as_view())
search_page = reader_page(search_view)
latest_feed = reader_page(LatestArticlesFeed())
category_feed = reader_page(CategoryFeed())
article_page = ArticleDetailView.as_view()


def count_hit(request, pk, **kwargs):
    """A read of the article answered by the page cache without running ``article_detail``."""
    Article.count_read(int(pk))


@shared_page(article_kwarg="pk", expires_at=Article.objects.next_due, on_hit=count_hit)
def article_detail(request, pk, **kwargs):
    """The article page; every reader's view of it is one read (a hit or 304 from the page
    cache is counted by ``count_hit``)."""
    response = article_page(request, pk=pk)
    if response.status_code == 200 and not may_preview(request):
        # Once rendered: the page shows the heat before this read, as a hit of it does.
        response.add_post_render_callback(lambda rendered: Article.count_read(int(pk)))
    return response
