"""Request bodies are JSON: any other media type is a 415 before a route reads it.

Without this a form or text body reaches validation and comes back as a 422 that talks
about dictionaries; the contract documents 415 ``unsupported-media-type`` for it.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from api.problems import document_problem, problem_response

WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
# The web console posts HTML forms (and checks their media type itself).
FORM_PATHS = "/console/"


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


class JsonBodies:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in WITH_BODY
            and not scope["path"].startswith(FORM_PATHS)
        ):
            headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]
            }
            has_body = headers.get("content-length", "0") != "0" or "transfer-encoding" in headers
            content_type = headers.get("content-type", "")
            if has_body and not is_json(content_type):
                response = problem_response(
                    415,
                    "unsupported-media-type",
                    f"the body must be application/json, not {content_type or 'unlabelled'}",
                    instance=scope["path"],
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def document(app: FastAPI) -> None:
    """Add the 415 problem to every OpenAPI operation that takes a body."""
    document_problem(app, 415, lambda _method, _path, operation: "requestBody" in operation)
