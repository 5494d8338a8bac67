from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("articles/<int:pk>/comments/", views.post_comment, name="post"),
    path("articles/<int:pk>/comments/tokens/", views.form_tokens, name="tokens"),
]
