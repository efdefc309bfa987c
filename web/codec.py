"""The codec endpoint for Temporal's web UI: `POST /api/codec/decode` opens the sealed payloads
the UI shows (a workflow's inputs, results and failures) for a logged-in auditor or the
secretariat, so that they can read a history in clear in the UI without the keys leaving the
console.

The UI sends Temporal's JSON form of `Payloads` (`{"payloads": [{"metadata": {...}, "data":
...}]}`, bytes in base64) and takes the same form back. It calls from its own origin, so the
origins in `KSGOV_WEB_CODEC_ORIGINS` are allowed by CORS, with credentials (the session cookie)
or a token in `Authorization`. Configure the UI's codec endpoint as `<console>/api/codec`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.responses import Response
from google.protobuf import json_format
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Receive, Scope, Send
from temporalio.api.common.v1 import Payloads

from service.codec import open_payloads
from web.console import Api, Ctx

router = APIRouter()
MAX_BODY = 4_000_000
REFUSED = "Forespørselen er ikke gyldige Temporal-data (Payloads som JSON)."


@router.post("/api/codec/decode", tags=["drift"])
async def decode(
    request: Request, who: Api, c: Ctx,
    x_namespace: Annotated[str | None, Header(max_length=250)] = None,
) -> Response:  # fmt: skip
    """The UI's payloads opened (auditor, secretariat): Temporal's JSON form of `Payloads`
    in, the same out."""
    if x_namespace is not None and x_namespace != c.settings.temporal_namespace:
        raise HTTPException(status_code=400, detail="Ukjent Temporal-navnerom.")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HTTPException(status_code=413, detail="Forespørselen er for stor.")
    payloads = Payloads()
    try:
        json_format.Parse(body, payloads)
    except (json_format.ParseError, UnicodeDecodeError, ValueError):
        raise HTTPException(status_code=400, detail=REFUSED) from None
    opened = open_payloads(c.settings.keyring(), payloads.payloads, who.actor)
    answer = json_format.MessageToJson(Payloads(payloads=opened))
    return Response(answer, media_type="application/json")


class CodecCors(CORSMiddleware):
    """CORS for the codec endpoint alone: no other path of the console answers another
    origin."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/codec/"):
            await super().__call__(scope, receive, send)
        else:
            await self.app(scope, receive, send)
