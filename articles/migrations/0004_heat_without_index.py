"""Heat is updated on every read: keep it out of indexes and leave room on each page, so the
update is a HOT update that touches no index (not even the search GIN index)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_glossary_additions"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="article",
            name="article_heat",
        ),
        migrations.RunSQL(
            "ALTER TABLE articles_article SET (fillfactor = 80)",
            "ALTER TABLE articles_article RESET (fillfactor)",
        ),
    ]
