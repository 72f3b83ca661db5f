"""Log redaction, kept free of model imports: settings.LOGGING loads it before the apps."""

import logging
import re

# allauth's links carrying a secret: password reset and e-mail confirmation keys.
_SECRET_PATH = re.compile(r"(/(?:password/reset/key|confirm-email)/)[^/\s'\"]+")


class RedactSecretsFilter(logging.Filter):
    """Mask the keys of allauth's links in any log line (handler filter, settings.LOGGING).

    Django's own loggers write request paths (``django.request``,
    ``django.security.csrf``): a refused request to a reset or confirmation link
    would otherwise put its key in the logs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: let the handler report it
            return True
        redacted = _SECRET_PATH.sub(r"\1[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        request = getattr(record, "request", None)
        if request is not None:
            text = str(request)
            if _SECRET_PATH.search(text):
                record.request = _SECRET_PATH.sub(r"\1[redacted]", text)
        return True
