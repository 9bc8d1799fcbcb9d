from __future__ import annotations

from dataclasses import dataclass

from fastapi import Query

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class PaginationParams:
    """Offset pagination window shared by every list endpoint."""

    limit: int
    offset: int


def get_pagination(
    limit: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0),
) -> PaginationParams:
    """FastAPI dependency that validates and bundles `limit` / `offset` query parameters."""
    return PaginationParams(limit=limit, offset=offset)
