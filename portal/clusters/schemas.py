from __future__ import annotations

from pydantic import BaseModel, Field


class ClusterPublic(BaseModel):
    code: str
    name: str
    demands: int = Field(description="published demands of the industry")
    open_demands: int = Field(description="published, deadline not passed")
    open_without_strong_match: int = Field(
        description=(
            "open demands no published, unexpired solution covers: none names the industry "
            "and serves the demand's city (or hunan/national)"
        )
    )
    networks: int
    cases: int


class ClustersPublic(BaseModel):
    as_of: str
    note: str
    clusters: list[ClusterPublic]
