"""Default glossary entries added after 0002 (news-text fixes for s2twp, Traditional originals).

Adds only the terms a database does not have yet, so editors' changes to existing entries stay.
Run ``manage.py reconvert`` afterwards to re-render stored articles with them.
"""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "default_glossary.json"


def add_missing(apps, schema_editor):
    GlossaryTerm = apps.get_model("articles", "GlossaryTerm")
    existing = set(GlossaryTerm.objects.values_list("term", flat=True))
    for entry in json.loads(DATA.read_text("utf-8")):
        if entry["term"] in existing:
            continue
        renderings = {k.replace("-", "_"): v for k, v in entry.get("renderings", {}).items()}
        GlossaryTerm.objects.create(
            term=entry["term"],
            keep=entry.get("keep", False),
            note=entry.get("why", "")[:200],
            **renderings,
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_default_glossary")]
    operations = [migrations.RunPython(add_missing, migrations.RunPython.noop)]
