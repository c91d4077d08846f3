"""One family of errors, each with its HTTP status and a message fit for a person."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from portal.kit.i18n import N_, _
from portal.kit.translate import translate_error


class PortalError(Exception):
    status_code = 400
    title = N_("请求有误")

    def __init__(self, message: str | None = None, **detail: Any) -> None:
        super().__init__(message or self.title)
        self.message = message or self.title
        self.detail = detail


class NotFound(PortalError):
    status_code = 404
    title = N_("找不到该页面或记录")


class Forbidden(PortalError):
    status_code = 403
    title = N_("没有权限执行此操作")


class Unauthorized(PortalError):
    status_code = 401
    title = N_("请先登录")


class Conflict(PortalError):
    status_code = 409
    title = N_("与现有数据冲突")


class TooManyRequests(PortalError):
    status_code = 429
    title = N_("操作过于频繁")


class ServiceUnavailable(PortalError):
    status_code = 503
    title = N_("服务暂时不可用")


class FieldErrors(PortalError):
    """What a person sent cannot be accepted: a reason per field (``{field: message}``,
    shown next to the field on a form, listed as ``errors`` by the JSON API, reported as
    第 N 行，字段 F：原因 by the importer), or one ``message`` for the whole of it.

    The status is 422 by default; forms answer 400, a throttled form 429."""

    status_code = 422
    title = N_("提交的数据有误")

    def __init__(
        self,
        errors: Mapping[str, str] | None = None,
        *,
        message: str | None = None,
        status: int = 422,
    ) -> None:
        super().__init__(message or (_("请修改标出的字段") if errors else self.title))
        self.errors = dict(errors or {})
        self.status_code = status
        self.detail = {"errors": [{"field": k, "message": v} for k, v in self.errors.items()]}


_STATUS_TITLES = {
    400: N_("请求有误"),
    401: N_("请先登录"),
    403: N_("没有权限执行此操作"),
    404: N_("找不到该页面或记录"),
    405: N_("不支持该请求方法"),
    413: N_("提交的内容过大"),
    422: N_("提交的数据有误"),
    429: N_("操作过于频繁"),
    500: N_("服务器内部错误"),
}


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/") or request.url.path == "/healthz":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _shown(value: Any) -> Any:
    """Labels marked at import time (LazyText) in the request's language, for JSON."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return {k: _shown(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_shown(v) for v in value]
    return value


def problem(status: int, title: str, detail: str | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": str(title), "status": status}
    if detail:
        body["detail"] = str(detail)
    body.update(_shown(extra))
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _html(request: Request, status: int, title: str, message: str) -> Response:
    from portal.kit.templating import templates

    return templates.TemplateResponse(
        request, "error.html", {"title": title, "message": message}, status_code=status
    )


async def portal_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PortalError)
    if wants_json(request):
        return problem(exc.status_code, exc.title, exc.message, **exc.detail)
    return _html(request, exc.status_code, exc.title, exc.message)


async def http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    title = _STATUS_TITLES.get(exc.status_code, N_("请求失败"))
    detail = (
        exc.detail if isinstance(exc.detail, str) and exc.detail not in ("Not Found",) else title
    )
    if wants_json(request):
        return problem(exc.status_code, title, detail)
    return _html(request, exc.status_code, title, detail)


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for e in exc.errors():
        loc = [str(p) for p in e["loc"]]
        # "field" and "message": the body field and the reason in Chinese, as listings say it.
        field, message = translate_error(
            {**e, "loc": e["loc"][1:] if loc[:1] == ["body"] else e["loc"]}
        )
        errors.append(
            {"loc": loc, "type": e["type"], "msg": e["msg"], "field": field, "message": message}
        )
    if wants_json(request):
        return problem(422, _STATUS_TITLES[422], _("请检查标出的字段"), errors=errors)
    return _html(request, 422, _STATUS_TITLES[422], _("请检查提交的内容"))


async def server_error_handler(request: Request, exc: Exception) -> Response:
    """The last resort for an unexpected error: a 500 in Chinese, as a problem for JSON
    callers and a page for browsers (Starlette still re-raises, so the server logs it)."""
    return refusal(request, 500, _("出错了，本次操作未能完成。我们已记录此问题，请稍后重试。"))


def refusal(request: Request, status: int, message: str) -> Response:
    """A page or a problem document for a request no handler answered (refused before
    routing, or failed unexpectedly); plain text if even the page fails."""
    title = _STATUS_TITLES.get(status, N_("请求失败"))
    if wants_json(request):
        return problem(status, title, message)
    try:
        return _html(request, status, title, message)
    except Exception:
        return PlainTextResponse(f"{title}：{message}", status_code=status)
