"""What the notifications API answers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class NotificationPublic(BaseModel):
    id: int
    kind: str = Field(description="listing_approved, introduction_requested, new_match …")
    title: str
    url: str = Field(description="where it happened, root-relative (/solutions/12)")
    created_at: datetime
    read_at: datetime | None


class NotificationList(BaseModel):
    unread: int = Field(description="the user's unread notifications, all of them")
    items: list[NotificationPublic] = Field(description="the latest 50, newest first")


class Unsubscribed(BaseModel):
    unsubscribed: list[str] = Field(description="the kinds whose mail is now off")
