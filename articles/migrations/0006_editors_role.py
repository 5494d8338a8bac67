"""The Editors group: writes articles, categories and the glossary; decides nothing on comments.

(Databases migrated before this file existed got the group from comments' 0002; granting again
changes nothing there.)"""

from django.db import migrations

from portal.roles import grant

EDITORS = [
    ("articles", "article", ["add", "change", "view"]),
    ("articles", "category", ["add", "change", "view"]),
    ("articles", "glossaryterm", ["add", "change", "delete", "view"]),
]


def create_editors(apps, schema_editor):
    grant(apps, "Editors", EDITORS)


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_heat_reads_folded"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_editors, remove_editors)]
