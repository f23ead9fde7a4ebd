from knox.auth import TokenAuthentication as KnoxTokenAuthentication


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox tokens (hashed at rest, expiring) under the ``Token`` keyword."""
