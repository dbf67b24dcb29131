"""Records every refused request (a 403 answer, from PermissionDenied anywhere or a failed
CSRF check), and writes the refusals kept back while a transaction was open."""

from governance.audit.models import AuditKind
from governance.audit.services import audit_flush_pending, audit_record, current_request


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            if response.status_code == 403 and not getattr(request, "_audit_denied", False):
                audit_record(
                    kind=AuditKind.ACCESS_DENIED,
                    request=request,
                    target=request.path[:200],
                    detail={"method": request.method, "status": 403},
                )
            return response
        finally:
            audit_flush_pending()
            current_request.reset(token)
