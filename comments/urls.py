from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("articles/<int:pk>/comments/", views.post_comment, name="post"),
    path("articles/<int:pk>/comments/tokens/", views.form_tokens, name="tokens"),
    path("comments/<int:pk>/reply/", views.reply_form, name="reply"),
    path("comments/<int:pk>/like/", views.like_comment, name="like"),
    path("comments/<int:pk>/report/", views.report_comment, name="report"),
]
