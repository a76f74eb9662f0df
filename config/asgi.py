import os

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()
# A process that serves pages signs sessions and forms: without a key it does not start.
settings.SECRET_KEY  # noqa: B018
