# The comments app keeps each article's top_level_comment_count (DecisionBatch.count); this
# fills it for the comments approved before the column existed.

from django.db import migrations

BACKFILL = """
UPDATE articles_article AS a SET top_level_comment_count = listed.n
FROM (
    SELECT article_id, count(*) AS n FROM comments_comment
    WHERE status = 'approved' AND parent_id IS NULL
    GROUP BY article_id
) AS listed
WHERE listed.article_id = a.id
"""


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0010_top_level_comment_count'),
        ('comments', '0006_listed_index'),
    ]

    operations = [
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
