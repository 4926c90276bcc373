"""API authentication: personal bearer tokens, or the browser session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from cxo.core.services import api_token_authenticate


class BearerToken(HttpBearer):
    openapi_description = "A personal API token: `Authorization: Bearer cxo_…` (create one under Account → API tokens)."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(secret=token)
        if user is not None:
            request.user = user
        return user


api_auth = [BearerToken(), SessionAuth()]
