"""Facts about the HTTP request that several apps need."""


def client_ip(request) -> str:
    """The address of the client that sent the request."""
    return request.META.get("REMOTE_ADDR") or "unknown"
