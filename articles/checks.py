"""System check: the database's LC_CTYPE must be UTF-8.

Under LC_CTYPE "C" PostgreSQL treats Han characters as non-letters: its text-search parser
drops them from ``to_tsvector`` without any error, and ``upper``/``lower``/``ILIKE`` leave
full-width Latin alone. Our search builds its tsvector and tsquery literals itself
(articles/search.py), but the admin's ``icontains`` search and any future use of PostgreSQL's
parser would silently go wrong, so the database must be UTF-8 throughout. A database check: it
runs with ``migrate`` (so ``make run`` refuses such a database) and ``check --database default``.
"""

from django.core.checks import Error, Tags, register
from django.db import connections


@register(Tags.database)
def utf8_ctype(app_configs, databases=None, **kwargs):
    errors = []
    for alias in databases or ():
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
            row = cursor.fetchone()
        ctype = row[0] if row else ""
        if "utf8" not in ctype.lower().replace("-", ""):
            errors.append(
                Error(
                    f"Database {connections[alias].settings_dict['NAME']!r} has LC_CTYPE "
                    f"{ctype!r}; Chinese search needs a UTF-8 locale.",
                    hint="Create it with: CREATE DATABASE … TEMPLATE template0 ENCODING 'UTF8' "
                    "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'.",
                    id="articles.E001",
                )
            )
    return errors
