"""WSGI entry point (gunicorn policing.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policing.settings")

application = get_wsgi_application()
