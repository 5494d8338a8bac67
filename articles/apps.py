from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "新闻"

    def ready(self):
        from . import checks  # noqa: F401  (registers the database locale check)
