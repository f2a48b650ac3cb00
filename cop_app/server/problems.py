"""RFC 9457 problem details: every error the API returns is ``application/problem+json``.

One exception type (``Problem``) carries status, a stable ``type`` and extension
members (e.g. the allowed transitions of a 409), and handlers turn FastAPI's own
errors (validation, 404 routes, 405) into the same shape so a client parses one form.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "tag:cop-app,2025:problem/"


class Problem(Exception):
    """An error answer. ``kind`` becomes the problem ``type`` (``about:blank`` if None)."""

    def __init__(self, status: int, title: str, detail: str = "", *, kind: str | None = None,
                 headers: dict[str, str] | None = None, **extensions: Any) -> None:  # fmt: skip
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.kind = kind
        self.headers = headers or {}
        self.extensions = extensions

    def body(self, instance: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": TYPE_BASE + self.kind if self.kind else "about:blank",
            "title": self.title,
            "status": self.status,
        }
        if self.detail:
            out["detail"] = self.detail
        out["instance"] = instance
        out.update(self.extensions)
        return out


def problem_response(problem: Problem, instance: str) -> JSONResponse:
    return JSONResponse(problem.body(instance), status_code=problem.status,
                        headers=problem.headers, media_type=PROBLEM_MEDIA_TYPE)  # fmt: skip


_TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
           405: "Method not allowed", 409: "Conflict", 410: "Gone",
           413: "Content too large", 415: "Unsupported media type",
           422: "Unprocessable content", 500: "Internal server error"}  # fmt: skip


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc, request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = _TITLES.get(exc.status_code, "Error")
        detail = exc.detail if isinstance(exc.detail, str) else ""
        if detail.lower() == title.lower():
            detail = ""
        return problem_response(
            Problem(exc.status_code, title, detail, headers=dict(exc.headers or {})),
            request.url.path,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"location": ".".join(str(p) for p in e.get("loc", ())), "reason": str(e.get("msg"))}
            for e in exc.errors()
        ]
        return problem_response(
            Problem(422, "Invalid request", "the request did not match the contract",
                    kind="invalid-request", errors=errors),
            request.url.path,
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        # The traceback goes to the server log (uvicorn logs it); the client gets no internals.
        return problem_response(Problem(500, "Internal server error"), request.url.path)
