"""Pre-rendered list items per variant (comments/rendering.py), filled for approved comments."""

from django.db import migrations, models


def render_items(apps, schema_editor):
    from comments.rendering import items_html

    Comment = apps.get_model("comments", "Comment")
    for comment in Comment.objects.filter(status="approved").iterator():
        comment.item_variants = items_html(
            comment.nickname_variants, comment.body_variants, comment.created_at
        )
        comment.save(update_fields=["item_variants"])


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0002_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="item_variants",
            field=models.JSONField(default=dict, editable=False),
        ),
        migrations.RunPython(render_items, migrations.RunPython.noop),
    ]
