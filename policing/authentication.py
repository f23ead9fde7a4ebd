"""How API calls authenticate: knox tokens, checked in one query.

Kept apart from ``policing.auth`` (the token endpoint): DRF imports the
authentication classes while ``rest_framework.views`` is still loading.
"""

from django.utils import timezone
from knox import auth as knox_auth
from knox.models import AuthToken


class TokenAuthentication(knox_auth.TokenAuthentication):
    """knox's token check, without its sweep of the user's other tokens.

    knox reads every token of the user on each request to delete the expired
    ones: a query per API call, and a delete the request's rollback undoes
    when the call fails. Here an expired token is only refused;
    :func:`purge_expired_tokens` (beat, hourly) deletes them.
    """

    def _cleanup_token(self, auth_token) -> bool:
        return auth_token.expiry is not None and auth_token.expiry < timezone.now()


def purge_expired_tokens() -> int:
    """Delete the API tokens past their expiry; return how many."""
    deleted, _by_model = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted
