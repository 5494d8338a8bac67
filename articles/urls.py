from django.urls import path, re_path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("category/<slug:slug>/", views.category, name="category"),
    path("articles/<int:pk>/", views.article_detail, name="detail"),
    # A slug may follow the id for readability; it is never required and never checked.
    re_path(r"^articles/(?P<pk>[0-9]+)/[^/]+/$", views.article_detail),
    path("search/", views.search_page, name="search"),
    path("feeds/latest.xml", views.latest_feed, name="feed_latest"),
    path("feeds/category/<slug:slug>.xml", views.category_feed, name="feed_category"),
]
