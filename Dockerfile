# Hamkorlik: one image for web (gunicorn), Celery worker and Celery beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.base \
    DJANGO_VAR_DIR=/var/lib/hamkorlik

WORKDIR /app

# Pango and fonts with Cyrillic for the PDF reports (WeasyPrint).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.lock ./
RUN pip install -r requirements.lock

RUN groupadd --system --gid 10001 hamkorlik \
    && useradd --system --uid 10001 --gid hamkorlik --home-dir /app --no-create-home hamkorlik \
    && mkdir -p /var/lib/hamkorlik \
    && chown hamkorlik:hamkorlik /var/lib/hamkorlik

COPY . .

# Static files are collected into the image (the translation catalogues are committed compiled).
# Loading the settings needs a secret key: a throwaway one is set for this step only (with a
# scratch data directory, removed afterwards); containers take DJANGO_SECRET_KEY from their
# environment.
RUN export DJANGO_SECRET_KEY=build-only-not-a-secret DJANGO_VAR_DIR=/tmp/build-var \
    && python manage.py collectstatic --noinput --verbosity 0 \
    && rm -rf /tmp/build-var

USER hamkorlik

EXPOSE 8000

CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
