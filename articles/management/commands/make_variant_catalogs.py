"""Write the UI catalogs of the four variants from the Simplified message ids.

UI strings are written in Simplified Chinese in templates and code, so ``zh_Hans`` is the
identity. ``zh_Hant``, ``zh_TW`` and ``zh_HK`` are rendered exactly as articles are (OpenCC and
the editors' glossary), plus the UI wording below where readers there name a control differently.
The command lives in ``articles`` because the glossary does.
Django only treats ``zh-tw`` / ``zh-hk`` as supported languages when a catalog exists for them;
without these files ``/zh-tw/`` would quietly fall back to ``/zh-hant/``.
"""

import re
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from articles.models import GlossaryTerm
from portal.variants.convert import render

# The catalogs go through the same conversion and glossary as articles (so 审核 is 審核 and 发布
# 發布 in Taiwan, as the glossary says, not OpenCC's 稽核/發佈), plus the interface words readers
# there use for a website's own controls: 搜尋, 重新整理 (refresh), 關鍵字, 儲存 (save), 字元
# (character), 網站導覽 (site map). (variant, UI wording as (simplified, local), longest first)
CATALOGS = {
    "zh_Hant": ("zh-hant", []),
    "zh_TW": (
        "zh-tw",
        [
            ("网站地图", "網站導覽"),
            ("关键词", "關鍵字"),
            ("搜索", "搜尋"),
            ("刷新", "重新整理"),
            ("保存", "儲存"),
            ("字符", "字元"),
            ("链接", "連結"),
        ],
    ),
    "zh_HK": ("zh-hk", [("关键词", "關鍵字"), ("信息", "資訊"), ("搜索", "搜尋")]),
}
ENTRY = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?|msgctxt) "(.*)"$')


def parse_po(text: str) -> list[dict]:
    """Minimal PO reader: the fields of each entry, continuation lines joined."""
    entries, current, key = [], {}, None
    for line in text.splitlines():
        if not line.strip():
            if current:
                entries.append(current)
            current, key = {}, None
            continue
        if line.startswith("#"):
            current.setdefault("comments", []).append(line)
            continue
        match = ENTRY.match(line)
        if match:
            key = match.group(1)
            current[key] = match.group(2)
        elif line.startswith('"') and key:
            current[key] += line[1:-1]
    if current:
        entries.append(current)
    return entries


def unescape(value: str) -> str:
    return value.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def translate(text: str, variant: str, wording, glossary) -> str:
    """``text`` (Simplified) as the articles' renderer gives it in ``variant``; the UI wording
    goes in as ``-{…}-`` markup, which the renderer keeps as written."""
    for simplified, local in wording:
        text = text.replace(simplified, f"-{{{local}}}-")
    return render(text, "zh-hans", glossary)[variant]


class Command(BaseCommand):
    help = "Extract UI strings and generate the zh_Hant, zh_TW and zh_HK catalogs."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print, write nothing.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        locale = Path(settings.LOCALE_PATHS[0])
        if not dry_run:
            call_command(
                "makemessages",
                locale=["zh_Hans"],
                ignore_patterns=[".venv/*", "var/*", "staticfiles/*", "tests/*", "bench/*"],
                no_obsolete=True,
                verbosity=0,
            )
        source = (locale / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text("utf-8")
        entries = parse_po(source)
        glossary = GlossaryTerm.objects.as_glossary()
        for name, (variant, wording) in CATALOGS.items():
            out = []
            for entry in entries:
                lines = [c for c in entry.get("comments", []) if not c.startswith("#,")]
                if entry.get("msgid") == "":  # header
                    out.append("\n".join([*lines, 'msgid ""', f'msgstr "{entry["msgstr"]}"']))
                    continue
                msgid = unescape(entry["msgid"])
                lines.append(f'msgid "{entry["msgid"]}"')
                if "msgid_plural" in entry:
                    lines.append(f'msgid_plural "{entry["msgid_plural"]}"')
                    plural = unescape(entry["msgid_plural"])
                    plural = translate(plural, variant, wording, glossary)
                    lines.append(f'msgstr[0] "{escape(plural)}"')
                else:
                    shown = translate(msgid, variant, wording, glossary)
                    lines.append(f'msgstr "{escape(shown)}"')
                out.append("\n".join(lines))
            text = "\n\n".join(out) + "\n"
            text = text.replace("Language: zh_Hans", f"Language: {name}")
            target = locale / name / "LC_MESSAGES" / "django.po"
            if dry_run:
                self.stdout.write(f"--- {target}\n{text[:2000]}")
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, "utf-8")
            if verbosity:
                self.stdout.write(f"wrote {target} ({len(entries) - 1} strings)")
        if not dry_run:
            call_command("compilemessages", locale=["zh_Hans", *CATALOGS], verbosity=0)
