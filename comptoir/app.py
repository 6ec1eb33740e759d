"""App assembly: routes, middleware and the lifespan that opens the database and broadcast."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import asdict
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tortoise import connections

from comptoir.db import database
from comptoir.graphiql import PREFIX, GraphiQLFiles, home
from comptoir.graphql_view import ComptoirGraphQL, bearer_token
from comptoir.http_cache import CachePolicy
from comptoir.logs import RequestIds
from comptoir.metrics import Metrics, metrics_endpoint
from comptoir.persisted import PersistedQueries
from comptoir.settings import Settings, file_store
from realtime.broadcast import Live
from resolvers import invoices
from resolvers.errors import Unauthenticated
from resolvers.links import FileReader, StoredFile, verify_link
from resolvers.mail import mail_backlog
from resolvers.sessions import actor_for_token
from resolvers.uploads import UploadInvalid, photo_reader, store_upload, too_large
from schema import build_schema
from schema.compat import graphql_schema
from schema.ids import encode_id
from schema.limits import Limits
from schema.live_render import LiveRenderer
from schema.security import Guard

log = logging.getLogger("comptoir")


class BodyLimit:
    """Refuse request bodies over the limit with 413, whether or not Content-Length is sent."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # /uploads counts its own (larger) limit as it reads the body.
        if scope["type"] != "http" or scope["path"] == "/uploads":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await JSONResponse({"error": "Request body too large"}, 413)(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await JSONResponse({"error": "Request body too large"}, 413)(scope, receive, send)


class _TooLarge(Exception):
    pass


class Comptoir(Starlette):
    """Starlette, with the GraphQL WebSocket taken straight to its view.

    Every middleware and the router otherwise wrap the socket too, and their frames stay
    suspended for its whole life (~3 KB per idle subscription, bench/idle_memory.py) although
    none of them acts on a WebSocket but the request id, which the socket keeps.
    """

    def __init__(self, *, graphql_socket: ASGIApp, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.graphql_socket = RequestIds(graphql_socket)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == "/graphql":
            scope["app"] = self
            await self.graphql_socket(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _delivery(state: dict[str, object]) -> Callable[[], Awaitable[dict[str, object]]] | None:
    live = state.get("live")
    return live.status if isinstance(live, Live) else None


async def _mail_backlog() -> dict[str, object]:
    """The outbox backlog, reported but not part of readiness: a slow mail server is no
    reason to take a web process out of the load balancer."""
    try:
        return asdict(await mail_backlog())
    except Exception as error:  # the database check already says why
        return {"error": type(error).__name__}


def guard(settings: Settings) -> Guard:
    """What the schema is told of the settings: document limits, caches, introspection."""
    return Guard(
        limits=Limits(
            max_depth=settings.max_depth,
            max_aliases=settings.max_aliases,
            max_cost=settings.max_cost,
            max_fields=settings.max_fields,
        ),
        max_tokens=settings.max_tokens,
        document_cache_bytes=settings.document_cache_bytes,
        introspection=settings.introspection,
    )


def printed_schema(settings: Settings) -> str:
    """The SDL frontends diff (committed as schema.graphql)."""
    return build_schema(guard(settings)).as_str() + "\n"


def create_app(settings: Settings, *, run_jobs: bool = False) -> Starlette:
    """The ASGI app; `run_jobs` runs the background jobs in-process (embedded `serve`)."""
    # Never "*": it would let every site's pages call the API and open sockets with it.
    if "*" in settings.allowed_origins:
        log.warning("ALLOWED_ORIGINS: '*' is ignored; list each origin instead")
    origins = tuple(
        dict.fromkeys(
            o for o in (*settings.allowed_origins, _origin(settings.public_url)) if o != "*"
        )
    )
    graphiql_files = GraphiQLFiles() if settings.graphiql else None
    metrics = Metrics()
    persisted = PersistedQueries(max_bytes=settings.apq_cache_bytes, redis_url=settings.redis_url)
    schema = build_schema(guard(settings))
    live = Live(
        settings.redis_url,
        queue_size=settings.ws_queue_size,
        tick_seconds=settings.catch_up_interval_seconds,
    )
    # Every resolver of this app, the jobs it runs included, rings this app's broadcast.
    policy = settings.policy(doorbell=live.doorbell)
    state: dict[str, object] = {}  # what the lifespan started
    graphql = ComptoirGraphQL(
        schema,
        live=LiveRenderer(graphql_schema(schema), live.hub),
        graphiql=graphiql_files,
        persisted=persisted,
        cache_policy=CachePolicy(settings.http_cache_max_age, settings.http_cache_stale_seconds),
        metrics=metrics,
        connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
        max_subscriptions_per_connection=settings.ws_max_subscriptions,
        allowed_origins=origins,
        policy=policy,
        trusted_proxies=settings.trusted_proxies,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(database(settings.database_url))
            stack.push_async_callback(persisted.close)
            stack.callback(metrics.close)
            state["live"] = await stack.enter_async_context(live.running())
            if run_jobs:
                from comptoir.jobs import Deps, Runner, run_jobs_in_background

                runner = Runner(
                    Deps.from_settings(settings, policy=policy),
                    interval_seconds=settings.jobs_interval_seconds,
                    metrics=metrics,
                )
                live.channel.on_reconnect(runner.reconnected)
                await stack.enter_async_context(run_jobs_in_background(runner, live.broadcast))
            yield

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        checks: dict[str, object] = {}
        try:
            await connections.get("default").execute_query("SELECT 1")
            checks["database"] = "ok"
        except Exception as error:  # any failure means "not ready", with its reason
            checks["database"] = f"error: {type(error).__name__}"
        live = state.get("live")
        delivery: dict[str, object] = {}
        if isinstance(live, Live):
            checks["broadcast"] = "ok" if live.connected else "disconnected"
            try:
                delivery = await live.status()
                if delivery["connected"] and not delivery["ok"]:
                    checks["broadcast"] = "lagging"
            except Exception as error:  # the database check above already says why
                delivery = {"error": type(error).__name__}
        else:
            checks["broadcast"] = "not started"
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {
                "status": "ready" if ready else "unavailable",
                **checks,
                "delivery": delivery,
                "mail": await _mail_backlog(),
            },
            status_code=200 if ready else 503,
        )

    store = file_store(settings)
    # Each kind of private file and how to read it (claim photos, invoice PDFs).
    file_readers: dict[str, FileReader] = {"photo": photo_reader(store)}

    async def uploads(request: Request) -> Response:
        """A photo sent as the raw body; its own size limit, not the 1 MiB of /graphql."""
        token = bearer_token(request.headers.get("authorization"))
        try:
            if not token:
                raise Unauthenticated()
            actor = await actor_for_token(token)
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > policy.upload_max_bytes:
                raise too_large(policy)
            body = bytearray()
            async for chunk in request.stream():
                body += chunk
                if len(body) > policy.upload_max_bytes:
                    raise too_large(policy)
            upload = await store_upload(
                actor,
                data=bytes(body),
                content_type=request.headers.get("content-type", ""),
                store=store,
                policy=policy,
            )
        except Unauthenticated as error:
            return JSONResponse({"code": "UNAUTHENTICATED", "message": str(error)}, 401)
        except UploadInvalid as error:
            return JSONResponse(
                {"code": "UPLOAD_INVALID", "message": str(error)}, 413 if error.too_large else 415
            )
        return JSONResponse(
            {
                "id": encode_id("Photo", upload.id),
                "contentType": upload.content_type,
                "size": upload.size,
                "width": upload.width,
                "height": upload.height,
            },
            201,
        )

    async def invoice_pdf(invoice_id: int) -> StoredFile | None:
        return await invoices.invoice_pdf(invoice_id, policy=policy)

    file_readers[invoices.KIND] = invoice_pdf

    async def files(request: Request) -> Response:
        """A file behind a signed link; 403 and no bytes when the link is tampered or expired."""
        kind = request.path_params["kind"]
        object_id = request.path_params["object_id"]
        reader = file_readers.get(kind)
        if (
            reader is None
            or not object_id.isdigit()
            or not verify_link(
                policy=policy,
                kind=kind,
                object_id=int(object_id),
                expires=request.query_params.get("expires", ""),
                signature=request.query_params.get("signature", ""),
            )
        ):
            return JSONResponse(
                {"code": "FORBIDDEN", "message": "Lien invalide ou expiré."}, status_code=403
            )
        stored = await reader(int(object_id))
        if stored is None:
            return JSONResponse(
                {"code": "NOT_FOUND", "message": "Fichier introuvable."}, status_code=404
            )
        return Response(
            stored.content,
            media_type=stored.content_type,
            headers={
                "Content-Disposition": f'inline; filename="{stored.filename}"',
                "Cache-Control": "private, max-age=60",
                "X-Content-Type-Options": "nosniff",
            },
        )

    app = Comptoir(
        routes=[
            Route("/", home(graphiql=graphiql_files is not None)),
            *(
                [Route(PREFIX + "/{version}/{name:path}", graphiql_files.asset)]
                if graphiql_files
                else []
            ),
            *(
                [
                    Route(
                        "/metrics",
                        metrics_endpoint(
                            metrics, token=settings.metrics_token, delivery=lambda: _delivery(state)
                        ),
                    )
                ]
                if settings.metrics
                else []
            ),
            Route("/healthz", healthz),
            Route("/files/{kind}/{object_id}", files),
            Route("/uploads", uploads, methods=["POST"]),
            Route("/readyz", readyz),
            Route("/graphql", graphql, methods=["GET", "POST"]),
        ],
        graphql_socket=graphql,
        middleware=[
            Middleware(RequestIds),
            Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
            Middleware(
                CORSMiddleware,
                allow_origins=list(origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
                max_age=600,
            ),
        ],
        lifespan=lifespan,
    )
    app.state.live = live  # the app's own hub and broadcast (tests observe them)
    app.state.policy = policy  # what it hands its resolvers (tests calling them directly)
    return app
