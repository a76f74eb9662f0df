import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# A process that serves pages signs sessions and forms: without a key it does not start.
settings.SECRET_KEY  # noqa: B018
