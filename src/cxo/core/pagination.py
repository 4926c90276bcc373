"""Pages of lists: one rule for every paginated API operation and page.

A page number is from 1 to :data:`MAX_PAGE`; outside that the API answers 400 with a message
(an SQL offset that large would fail in the database), and pages clamp it. A page past the last
one is empty. The API's list operations use :class:`Pagination` (``@paginate(Pagination)``) or
call :func:`page_check` on their own ``page``/``page_size``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from cxo.core.errors import ServiceError

#: Far beyond any real listing; bounds the SQL offset on every database.
MAX_PAGE = 100_000
MAX_PAGE_SIZE = 100


def page_check(*, page: int, page_size: int, max_page_size: int = MAX_PAGE_SIZE) -> None:
    """Refuse (400) a page number or page size out of range."""
    if not 1 <= page <= MAX_PAGE:
        raise ServiceError(
            f"Page {page} does not exist: pages are numbered from 1 to at most {MAX_PAGE:,}.", field="page"
        )
    if not 1 <= page_size <= max_page_size:
        raise ServiceError(f"page_size must be between 1 and {max_page_size}, not {page_size}.", field="page_size")


def page_number(raw: str | None) -> int:
    """A page number from a query string, for pages: junk is page 1, and it is clamped to 1 … MAX_PAGE."""
    try:
        return min(max(1, int(raw or "1")), MAX_PAGE)
    except ValueError:
        return 1


def offset_number(raw: str | None, *, limit: int = MAX_PAGE * MAX_PAGE_SIZE) -> int:
    """An offset from a query string, for pages: junk is 0, and it is clamped to 0 … ``limit``."""
    try:
        return min(max(0, int(raw or "0")), limit)
    except ValueError:
        return 0


class Pagination(PageNumberPagination):
    """Ninja's page-number pagination with :func:`page_check`'s bounds and messages."""

    class Input(Schema):
        page: int = Field(1, description=f"Page number, from 1 to {MAX_PAGE:,}. A page past the last one is empty.")
        page_size: int | None = Field(None, description=f"Items per page, from 1 to {MAX_PAGE_SIZE}.")

    def __init__(self, page_size: int = 50, max_page_size: int = MAX_PAGE_SIZE, **kwargs: Any) -> None:
        super().__init__(page_size=page_size, max_page_size=max_page_size, **kwargs)

    def paginate_queryset(self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any) -> Any:
        size = self.page_size if pagination.page_size is None else pagination.page_size
        page_check(page=pagination.page, page_size=size, max_page_size=self.max_page_size)
        return super().paginate_queryset(queryset, pagination, request, **params)
