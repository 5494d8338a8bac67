from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "评论"

    def ready(self):
        from portal import pagecache

        from . import guards, signals  # noqa: F401

        # The form's signed token is per reader and per page view. A shared token would date
        # every reader's form from the cache fill, and would make the second reader's comment
        # look like a double submit of the first's (and be dropped): in a shared page it is left
        # empty and fetched from views.form_tokens.
        pagecache.register_hole(
            "comment_token",
            lambda request, meta: (
                guards.make_token(meta["article_id"]) if meta.get("article_id") else ""
            ),
            per_reader=True,
        )
