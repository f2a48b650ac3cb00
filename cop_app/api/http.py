"""The HTTP side of the client: one session, bounded retries, explicit timeouts, typed errors.

pystac-client's habit: one ``requests.Session`` with an ``HTTPAdapter`` whose urllib3
``Retry`` retries idempotent calls on connection failures and 429/502/503/504 (honouring
``Retry-After``), every call with a (connect, read) timeout, every failure an
``ApiError.from_response`` carrying the RFC 9457 problem details, and list endpoints
read as iterators over opaque cursors. POSTs are never retried by urllib3: a lost
answer to a transition must not become two transitions.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from cop_app import __version__

log = logging.getLogger("cop_app.api")

DEFAULT_TIMEOUT = (3.05, 30.0)  # connect, read (seconds)
RETRY_STATUSES = (429, 502, 503, 504)
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_PROBLEM_KEYS = ("type", "title", "status", "detail", "instance")


class ApiError(Exception):
    """A failed call: HTTP status plus the server's problem details (RFC 9457).

    ``extensions`` holds the members beyond the standard five, e.g. ``allowed`` on
    a 409 for an illegal verification transition.
    """

    def __init__(self, status: int, title: str, *, type: str = "about:blank",
                 detail: str | None = None, instance: str | None = None,
                 extensions: Mapping[str, Any] | None = None, url: str | None = None,
                 ) -> None:  # fmt: skip
        self.status = status
        self.title = title
        self.type = type
        self.detail = detail
        self.instance = instance
        self.extensions = dict(extensions or {})
        self.url = url
        super().__init__(f"{status} {title}" + (f": {detail}" if detail else ""))

    def __getattr__(self, name: str) -> Any:
        # ``err.allowed`` reads the extension member; unknown names still raise.
        ext = self.__dict__.get("extensions", {})
        if name in ext:
            return ext[name]
        raise AttributeError(name)

    @property
    def problem(self) -> dict[str, Any]:
        out = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail is not None:
            out["detail"] = self.detail
        if self.instance is not None:
            out["instance"] = self.instance
        return {**out, **self.extensions}

    @classmethod
    def from_response(cls, resp: requests.Response) -> ApiError:
        """Read problem+json when the server sent it; otherwise use the status line."""
        body: Any = None
        try:
            body = resp.json()
        except ValueError:
            body = None
        reason = resp.reason or requests.status_codes._codes.get(resp.status_code, ("",))[0]
        if not isinstance(body, dict):
            text = (resp.text or "")[:200].strip() or None
            return cls(resp.status_code, str(reason or "error"), detail=text, url=resp.url)
        ext = {k: v for k, v in body.items() if k not in _PROBLEM_KEYS}
        # FastAPI's own {"detail": ...} errors (e.g. 422 validation) carry a list here.
        detail = body.get("detail")
        if detail is not None and not isinstance(detail, str):
            ext.setdefault("errors", detail)
            detail = json.dumps(detail, ensure_ascii=False)[:500]
        return cls(
            resp.status_code,
            str(body.get("title") or reason or "error"),
            type=str(body.get("type") or "about:blank"),
            detail=detail,
            instance=body.get("instance"),
            extensions=ext,
            url=resp.url,
        )


class ApiClient:
    """A connection to one verification API server.

    ``verify`` and ``ca_bundle`` are requests' TLS settings: verification is on unless
    the caller turns it off, and a private CA (a mission's own) is a bundle path.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        ca_bundle: str | None = None,
        verify: bool = True,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 3,
        backoff_factor: float = 0.3,
        backoff_max: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = timeout
        self.session = requests.Session()
        retry = Retry(
            total=retries,
            backoff_factor=backoff_factor,
            backoff_max=backoff_max,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=IDEMPOTENT,
            respect_retry_after_header=True,
            raise_on_status=False,  # the last response becomes an ApiError with details
        )
        adapter = HTTPAdapter(max_retries=retry, pool_maxsize=4)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.verify = ca_bundle if (ca_bundle and verify) else verify
        self.session.headers["User-Agent"] = f"cop-app/{__version__}"
        self.session.headers["Accept"] = "application/json"
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def __repr__(self) -> str:  # never the token
        return f"ApiClient({self.base_url!r})"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path.lstrip("/"))

    # ---- calls -----------------------------------------------------------------------
    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                json_body: Any = None, data: bytes | str | None = None,
                headers: Mapping[str, str] | None = None, stream: bool = False,
                timeout: tuple[float, float] | None = None) -> requests.Response:  # fmt: skip
        """One call; raises ApiError for any 4xx/5xx and requests' errors for transport."""
        resp = self.session.request(
            method,
            self.url(path),
            params={k: v for k, v in (params or {}).items() if v is not None},
            json=json_body,
            data=data,
            headers=dict(headers or {}),
            stream=stream,
            timeout=timeout or self.timeout,
        )
        if resp.status_code >= 400:
            err = ApiError.from_response(resp)
            resp.close()
            log.debug("%s %s -> %s", method, path, err)
            raise err
        return resp

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params).json()

    def post(self, path: str, body: Any = None, *, data: bytes | str | None = None,
             content_type: str | None = None) -> Any:  # fmt: skip
        headers = {"Content-Type": content_type} if content_type else None
        resp = self.request("POST", path, json_body=body, data=data, headers=headers)
        return resp.json() if resp.content else None

    def pages(self, path: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Each page of a cursor-paged list, following ``next_cursor`` until it is null."""
        params = {k: v for k, v in params.items() if v is not None}
        while True:
            page = self.get(path, **params)
            yield page
            cursor = page.get("next_cursor")
            if not cursor:
                return
            params["cursor"] = cursor

    def items(self, path: str, **params: Any) -> Iterator[dict[str, Any]]:
        """The items of every page, as one iterator."""
        for page in self.pages(path, **params):
            yield from page.get("items", ())

    # ---- convenience for the verification API ------------------------------------------
    def me(self) -> dict[str, Any]:
        return self.get("/v1/me")

    def transition(self, report_id: str, to_status: str, rationale: str) -> dict[str, Any]:
        return self.post(f"/v1/reports/{report_id}/transitions",
                         {"to": to_status, "rationale": rationale})  # fmt: skip

    def ingest(self, fmt: str, text: str | bytes) -> dict[str, Any]:
        return self.post(f"/v1/ingest/{fmt}", data=text, content_type="text/plain")
