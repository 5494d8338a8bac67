"""The Moderators group: decides on comments and keeps the banned words; publishes nothing.
(The Editors group is the articles app's: articles/migrations/0006_editors_role.py.)"""

from django.db import migrations

from portal.roles import grant

MODERATORS = [
    ("comments", "comment", ["change", "view", "moderate"]),
    ("comments", "bannedword", ["add", "change", "delete", "view"]),
]


def create_moderators(apps, schema_editor):
    grant(apps, "Moderators", MODERATORS)


def remove_moderators(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Moderators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("articles", "0002_default_glossary"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_moderators, remove_moderators)]
