"""A test client of the REST API with a personal token: ``api("POST", path, body, 201)`` checks the status."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from cxo.core.models import User
from cxo.core.services import api_token_create


class Api:
    def __init__(self, user: User) -> None:
        _, self.token = api_token_create(user=user, name="test")
        self.client = Client()

    def __call__(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        response = self.client.generic(
            method,
            f"/api/v1{path}",
            data=b"" if body is None else json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.token}",
        )
        assert response.status_code == status, (method, path, response.status_code, response.content[:500])
        return response.json() if response.content else None
