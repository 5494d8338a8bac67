from django.urls import path

from . import receipt_views, views

app_name = "comments"

urlpatterns = [
    path("articles/<int:pk>/comments/", views.post_comment, name="post"),
    path("articles/<int:pk>/comments/tokens/", views.form_tokens, name="tokens"),
    path("comments/<int:pk>/reply/", views.reply_form, name="reply"),
    path("comments/<int:pk>/like/", views.like_comment, name="like"),
    path("comments/<int:pk>/report/", views.report_comment, name="report"),
    path("articles/<int:pk>/comments/mine/", receipt_views.mine, name="mine"),
    path("my-comments/", receipt_views.my_comments, name="my_comments"),
]
