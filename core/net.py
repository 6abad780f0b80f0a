from django.conf import settings


def client_ip(request) -> str:
    """The address of the client, trusting exactly the NUM_PROXIES reverse proxies in front.

    Each proxy appends the address it received the request from to X-Forwarded-For, so the
    client is the one that many entries from the right; anything further left was written by
    the client itself and cannot be trusted. Used by every per-client limit (sign-in lockout,
    API throttles, resident feedback) so they all agree.
    """
    proxies = settings.NUM_PROXIES
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
