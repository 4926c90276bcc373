"""Errors that services raise. Views show their message; the API maps them to 4xx responses."""

from __future__ import annotations


class ServiceError(Exception):
    """A request that cannot be carried out as asked (400). The message is shown to the user."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotPermitted(ServiceError):
    """The actor's role does not allow this (403). Outsiders get NotFound instead."""

    status_code = 403


class NotFound(ServiceError):
    """No such object, or not one the actor may see (404)."""

    status_code = 404


class Conflict(ServiceError):
    """The object's state does not allow this now (409), e.g. an illegal state transition."""

    status_code = 409
