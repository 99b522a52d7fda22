"""Online-opinion posts in (网络舆情): one endpoint that scores and groups each post."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja import Status as Reply
from pydantic import Field

from pingan.access.actor import actor_of
from pingan.leads.services import post_add

router = Router(tags=["leads"])


class PostIn(Schema):
    platform: str = Field(..., description="平台，如 微博、抖音、本地论坛")
    url: str = Field(..., description="原帖链接（同一链接重复提交返回首次结果）")
    author: str = ""
    text: str
    posted_at: dt.datetime
    likes: int = 0
    comments: int = 0
    shares: int = 0
    views: int = 0
    screenshots: list[str] = Field(default_factory=list, description="截图链接或存档路径")
    region: str | None = Field(None, description="区划代码，默认为录入人的受理中心")


class PostOut(Schema):
    id: int
    lead: int
    risk_score: float
    signals: list[str]
    lead_risk_score: float
    lead_post_count: int


@router.post(
    "/leads/posts",
    response={200: PostOut, 201: PostOut},
    summary="录入网络舆情帖子（评分并归并到线索）",
)
def post_create(request: HttpRequest, payload: PostIn) -> Any:
    post, created = post_add(actor=actor_of(request), **payload.dict())
    lead = post.lead
    return Reply(
        201 if created else 200,
        {
            "id": post.pk,
            "lead": lead.pk,
            "risk_score": post.risk_score,
            "signals": post.signals,
            "lead_risk_score": lead.risk_score,
            "lead_post_count": lead.post_count,
        },
    )
