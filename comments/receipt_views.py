"""我的留言's two surfaces (comments/receipts.py): the panel an article page fetches, and the page
of all the reader's comments. Both are this reader's alone: never cached, by Django or an edge
(edge/portal.conf.template sends neither path to the cache)."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.views.decorators.http import require_safe

from . import commenter, receipts

PANEL_SIZE = 10
PER_PAGE = 20


def _private(response):
    add_never_cache_headers(response)
    patch_vary_headers(response, ["Cookie"])
    return response


@require_safe
def mine(request, pk):
    """The panel of 我的留言 on article ``pk``, as an HTML fragment for static/js/my-comments.js;
    204 when there is nothing to show (without a valid cookie: answered without a query)."""
    key = commenter.known_key(request)
    if not key:
        return _private(HttpResponse(status=204))
    variant = translation.get_language()
    rows = receipts.of_commenter(key, variant).filter(article_id=pk)[:PANEL_SIZE]
    items = receipts.receipts(rows, variant)
    if not items:
        return _private(HttpResponse(status=204))
    return _private(render(request, "comments/my_panel.html", {"receipts": items}))


@require_safe
def my_comments(request):
    """All of the reader's comments, newest first, with what became of each."""
    key = commenter.known_key(request)
    page_obj, items = None, []
    if key:
        variant = translation.get_language()
        paginator = Paginator(receipts.of_commenter(key, variant), PER_PAGE)
        page_obj = paginator.get_page(request.GET.get("page"))
        items = receipts.receipts(page_obj.object_list, variant)
    response = render(
        request, "comments/my_comments.html", {"page_obj": page_obj, "receipts": items}
    )
    response["X-Robots-Tag"] = "noindex"
    return _private(response)
