"""Request bodies are JSON: any other media type is a 415 before a route reads it.

Without this a form or text body reaches validation and comes back as a 422 that talks
about dictionaries; the contract documents 415 ``unsupported-media-type`` for it.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import document_problem, problem_response

WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
# No request of the API nests deeper than a few levels; the bound keeps the JSON parser
# and validation far from Python's recursion limit (a RecursionError was a 500).
MAX_JSON_DEPTH = 32
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
            if has_body:
                # Read here (RequestContext's limit still bounds it) and handed on
                # unchanged, once its nesting is known to be within the bound (F8).
                body, more = b"", True
                while more:
                    message = await receive()
                    if message["type"] != "http.request":
                        break
                    body += message.get("body", b"")
                    more = message.get("more_body", False)
                if json_depth(body) > MAX_JSON_DEPTH:
                    response = problem_response(
                        422,
                        "validation-error",
                        f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels",
                        instance=scope["path"],
                    )
                    await response(scope, receive, send)
                    return
                sent = False

                async def replay() -> Message:
                    nonlocal sent
                    if sent:
                        return await receive()
                    sent = True
                    return {"type": "http.request", "body": body, "more_body": False}

                await self.app(scope, replay, send)
                return
        await self.app(scope, receive, send)


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text, brackets inside strings
    aside. Not a parser: a malformed text is the parser's to refuse afterwards."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return 0  # cannot nest deeper than the bound: the common case, no scan
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_JSON_DEPTH:
                    return deepest
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def document(app: FastAPI) -> None:
    """Add the 415 problem to every OpenAPI operation that takes a body."""
    document_problem(app, 415, lambda _method, _path, operation: "requestBody" in operation)
