"""The default glossary: fixes for what OpenCC gets wrong on the reference article and on
common news text (see articles/data/default_glossary.json, each entry with its reason)."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "default_glossary.json"


def load(apps, schema_editor):
    GlossaryTerm = apps.get_model("articles", "GlossaryTerm")
    for entry in json.loads(DATA.read_text("utf-8")):
        renderings = {k.replace("-", "_"): v for k, v in entry.get("renderings", {}).items()}
        GlossaryTerm.objects.update_or_create(
            term=entry["term"],
            defaults={"keep": entry.get("keep", False), "note": entry.get("why", "")[:200], **renderings},
        )


def unload(apps, schema_editor):
    GlossaryTerm = apps.get_model("articles", "GlossaryTerm")
    terms = [entry["term"] for entry in json.loads(DATA.read_text("utf-8"))]
    GlossaryTerm.objects.filter(term__in=terms).delete()


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
