from django.urls import path, re_path

from . import feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("category/<slug:slug>/", views.CategoryView.as_view(), name="category"),
    path("articles/<int:pk>/", views.ArticleDetailView.as_view(), name="detail"),
    # A slug may follow the id for readability; it is never required and never checked.
    re_path(r"^articles/(?P<pk>[0-9]+)/[^/]+/$", views.ArticleDetailView.as_view()),
    path("search/", views.search_view, name="search"),
    path("feeds/latest.xml", feeds.LatestArticlesFeed(), name="feed_latest"),
    path("feeds/category/<slug:slug>.xml", feeds.CategoryFeed(), name="feed_category"),
]
