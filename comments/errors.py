"""Error pages: inside the admin (editors' and moderators' pages) in the admin's own style and
language; elsewhere the readers' pages. Named as the root URLconf's handler403/404/500."""

import sys

from django.db import DatabaseError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.views import defaults

from portal import views as reader_pages

MESSAGES = {
    403: "你没有权限访问这个页面，或进行这项操作。如需权限，请联系网站管理员。",
    404: "页面不存在：网址可能有误，或者这项内容已不存在。",
    500: "服务器出错了。请稍后再试；如果一直如此，请联系网站管理员。",
    503: "数据库暂时无法连接，管理后台暂停服务。请稍后再试；读者仍可浏览已缓存的页面。",
}
TITLES = {403: "没有权限", 404: "页面不存在", 500: "服务器出错", 503: "服务暂时不可用"}


def _in_admin(request) -> bool:
    return request.path.startswith(reverse("admin:index"))


def admin_error(request, status: int, detail: str = ""):
    # Rendered without the request's context processors, so nothing here needs the session,
    # the user or the database: a 500 may be the database failing.
    context = {
        "status": status,
        "title": TITLES[status],
        "message": MESSAGES[status],
        "detail": detail,
        "site_header": "新闻门户",
        "site_title": "新闻门户",
    }
    return HttpResponse(render_to_string("admin/error.html", context), status=status)


def permission_denied(request, exception=None):
    if _in_admin(request):
        return admin_error(request, 403, str(exception or ""))
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if _in_admin(request):
        return admin_error(request, 404)
    return reader_pages.page_not_found(request, exception)


def server_error(request):
    if not _in_admin(request):
        return reader_pages.server_error(request)
    # Django calls this inside its ``except`` block: an unreachable database is an outage.
    if isinstance(sys.exc_info()[1], DatabaseError):
        response = admin_error(request, 503)
        response["Retry-After"] = "30"
        return response
    return admin_error(request, 500)
