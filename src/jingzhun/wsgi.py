"""WSGI entry point (gunicorn serves this; `runserver` is never the product)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhun.settings")
application = get_wsgi_application()
