from __future__ import annotations

from pydantic import BaseModel

from portal.models import UseCasePublic


class UseCaseList(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[UseCasePublic]
