# The COS-GE portal's production image: gunicorn serves the site, the same image runs
# the Celery worker and beat (docker-compose.yml).
FROM python:3.11-slim

# Hashed, compressed static files served by WhiteNoise: the manifest written by
# collectstatic below is read at run time with the same backend.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=cos_portal.settings.base \
    STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage \
    PRIVATE_MEDIA_ROOT=/app/private_media

# WeasyPrint (PDF letters and certificates) needs Pango, HarfBuzz and fonts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .

# collectstatic only needs the settings' development defaults: no database, no secret.
RUN python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --system --uid 1000 --home-dir /app --shell /usr/sbin/nologin cos \
    && mkdir -p /app/private_media \
    && chown -R cos:cos /app/private_media

USER cos
EXPOSE 8000

CMD ["gunicorn", "cos_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
