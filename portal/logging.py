"""Logging helpers named in ``settings.LOGGING``."""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """A 4xx response is logged as one line, without the traceback Django attaches.

    Django logs every 403, 404 and 400 with ``exc_info`` set to the ``PermissionDenied``,
    ``Http404`` or ``SuspiciousOperation`` that produced it: thirty lines for an ordinary refusal
    that the request line already explains. Server errors (5xx) keep their traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if 400 <= getattr(record, "status_code", 0) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
