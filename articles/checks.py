"""Refuse to run on a database whose LC_CTYPE is not UTF-8.

Under LC_CTYPE "C" PostgreSQL treats Han characters as non-letters: its text-search parser
drops them from ``to_tsvector`` without any error, and ``upper``/``lower``/``ILIKE`` leave
full-width Latin alone. Our search builds its tsvector and tsquery literals itself
(articles/search.py), but the admin's ``icontains`` search and any future use of PostgreSQL's
parser would silently go wrong, so the database must be UTF-8 throughout.
Checked once per process, on the first connection.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.signals import connection_created

_checked = set()


def require_utf8_ctype(sender, connection, **kwargs):
    if connection.alias in _checked:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
        row = cursor.fetchone()
    ctype = row[0] if row else ""
    if "utf8" not in ctype.lower().replace("-", ""):
        raise ImproperlyConfigured(
            f"Database {connection.settings_dict['NAME']!r} has LC_CTYPE {ctype!r}; Chinese "
            "search needs a UTF-8 locale. Create it with: CREATE DATABASE … TEMPLATE template0 "
            "ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'."
        )
    _checked.add(connection.alias)


connection_created.connect(require_utf8_ctype, dispatch_uid="articles.require_utf8_ctype")
