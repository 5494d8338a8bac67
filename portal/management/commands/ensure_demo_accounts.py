"""Create the demo accounts (admin, editor, moderator) once, with generated passwords.

The passwords are printed when the accounts are created and kept in var/demo-accounts.txt
(readable by the owner only); later runs leave existing accounts alone.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

ACCOUNTS = [
    ("admin", None, "superuser: everything"),
    ("editor", "Editors", "writes and publishes articles"),
    ("moderator", "Moderators", "approves, rejects, marks comments as spam"),
]


class Command(BaseCommand):
    help = "Create the demo admin, editor and moderator accounts if they do not exist."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report, change nothing.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        User = get_user_model()
        file = settings.VAR_DIR / "demo-accounts.txt"
        created = []
        for username, group, role in ACCOUNTS:
            if User.objects.filter(username=username).exists():
                continue
            if dry_run:
                created.append((username, "(not created: dry run)", role))
                continue
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(username, password=password, is_staff=True)
            if group is None:
                user.is_superuser = True
                user.save(update_fields=["is_superuser"])
            else:
                user.groups.add(Group.objects.get(name=group))
            created.append((username, password, role))
        if created and not dry_run:
            file.parent.mkdir(parents=True, exist_ok=True)
            with file.open("a", encoding="utf-8") as out:
                for username, password, role in created:
                    out.write(f"{username}\t{password}\t{role}\n")
            file.chmod(0o600)
        if verbosity:
            for username, password, role in created:
                self.stdout.write(f"demo account  {username:<10} {password:<20} {role}")
            if not created:
                self.stdout.write(f"demo accounts exist (passwords in {file})")
