from django.apps import AppConfig
from django.core.signals import request_finished


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "评论"

    def ready(self):
        # Receivers keep cached pages and renderings in step with comment events.
        from . import receivers, spool  # noqa: F401

        # Comments spooled while the database was down are stored once it answers again.
        request_finished.connect(spool.replay_soon, dispatch_uid="comments.replay_spool")
