FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# pg_dump and pg_restore for manage.py backup_database / restore_database.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
COPY . .
# collectstatic runs with the production storage (hashed, compressed files);
# the build-time secrets below only satisfy the settings and are never used.
RUN pip install --no-cache-dir . \
    && DJANGO_DEBUG=false DJANGO_SECRET_KEY=build-only \
       FIELD_ENCRYPTION_KEYS=YnVpbGQtb25seS1rZXktbmV2ZXItdXNlZC1hdC1ydW4= \
       FIELD_HASH_KEY=build-only \
       python manage.py collectstatic --noinput -v0
EXPOSE 8000
CMD ["gunicorn", "policing.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
