"""Staff sessions end after a period of inactivity and after an absolute lifetime."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

LAST_SEEN_KEY = "bailanys_last_seen"
STARTED_KEY = "bailanys_started"


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            started = request.session.setdefault(STARTED_KEY, now)
            idle_expired = now - last_seen > settings.SESSION_IDLE_TIMEOUT_SECONDS
            absolute_expired = now - started > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS
            if idle_expired or absolute_expired:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect_to_login(request.get_full_path())
            request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
