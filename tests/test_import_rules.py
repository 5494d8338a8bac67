"""The import rules hold for the project, and the checker catches what it is meant to catch."""

from tests.import_rules import problems


def test_the_project_keeps_its_import_rules():
    assert problems() == []


def write(root, files: dict) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_a_cycle_hidden_in_a_function_is_found(tmp_path):
    write(
        tmp_path,
        {
            "portal/__init__.py": "",
            "comments/__init__.py": "",
            "articles/__init__.py": "",
            "articles/models.py": "from . import heat\n",
            "articles/heat.py": "def f():\n    from .models import Article\n",
        },
    )
    assert problems(tmp_path) == ["import cycle: articles.heat → articles.models"]


def test_portal_importing_an_app_and_articles_importing_comments_are_found(tmp_path):
    write(
        tmp_path,
        {
            "portal/__init__.py": "",
            "portal/jinja2.py": "def env():\n    from comments.section import comment_section\n",
            "portal/urls.py": "from articles import views\n",
            "articles/__init__.py": "",
            "articles/views.py": "import comments.models\n",
            "comments/__init__.py": "",
            "comments/models.py": "",
            "comments/section.py": "from articles.models import x\n",
        },
    )
    assert problems(tmp_path) == [
        "articles.views imports comments.models: articles must not know comments",
        "portal.jinja2 imports comments.section: portal/ is glue and imports no app",
    ]
