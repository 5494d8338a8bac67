from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "评论"

    def ready(self):
        from . import receivers  # noqa: F401  (cached pages and renderings follow comment events)
