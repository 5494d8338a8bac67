"""A database cache whose counters are atomic, for machines without Redis; what a cache raises
when it is down."""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connections, router, transaction
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError


class PostgresCache(DatabaseCache):
    """Django's ``DatabaseCache.incr`` reads, adds and writes back, so two gunicorn workers
    counting the same client's comments could both see 4 and both write 5. Rate limits and heat
    counters need a real increment, so this backend locks the row for the update."""

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT value FROM {table} WHERE cache_key = %s AND expires > now() FOR UPDATE",
                [key],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(row[0].encode("latin1"))) + delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET value = %s WHERE cache_key = %s", [encoded, key])
        return value


# What a shared cache raises when its server is down: the database cache's DatabaseError,
# django-redis' ConnectionInterrupted, or redis-py's errors (Django's own Redis backend).
# Callers that can do without the cache catch these, never bare Exception.
UNAVAILABLE = (DatabaseError, ConnectionInterrupted, RedisError)
