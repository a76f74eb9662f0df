from django.db import connection
from django.http import HttpRequest, JsonResponse

from accounts.permissions import public_view


@public_view
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
