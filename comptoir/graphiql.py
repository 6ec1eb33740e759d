"""GraphiQL from the package's own files: the page, its versioned assets and their CSP.

Strawberry's page loads GraphiQL, React and the explorer plugin from unpkg.com, which leaves
air-gapped hosts and strict Content-Security-Policies on "Loading...". The same builds, taken
from npm at pinned versions by `scripts/vendor-graphiql.sh`, ship in `static/graphiql/`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

STATIC = Path(__file__).resolve().parent / "static" / "graphiql"
PREFIX = "/graphiql"
# Assets live under a digest of their content: a new build is a new URL, so browsers and
# proxies may keep each one for a year without ever serving a stale file.
IMMUTABLE = "public, max-age=31536000, immutable"
# Only the product's own origin. GraphiQL's fonts and icons are data: URLs inside its CSS;
# 'self' covers ws:/wss: to this host for subscriptions (CSP Level 3).
CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
SCRIPTS = (
    "vendor/react.production.min.js",
    "vendor/react-dom.production.min.js",
    "vendor/graphiql.min.js",
    "vendor/plugin-explorer.umd.js",
    "comptoir-graphiql.js",
)
STYLES = ("vendor/graphiql.min.css", "vendor/plugin-explorer.css", "comptoir-graphiql.css")


@dataclass(frozen=True)
class Example:
    title: str
    query: str


# The README's tour, offered as GraphiQL tabs (a test validates each against the schema).
EXAMPLES = (
    Example(
        "Catalogue",
        "# Le catalogue, sans connexion\n"
        "query Catalogue {\n  products(first: 3) {\n"
        "    edges { node { name price } }\n  }\n}\n",
    ),
    Example(
        "Recherche",
        'query Recherche {\n  products(search: "beton") {\n'
        "    edges { node { name price } }\n  }\n}\n",
    ),
    Example(
        "Inscription",
        'mutation Inscription {\n  register(input: {email: "lea@example.fr", '
        'password: "un mot de passe long",\n    firstName: "Léa", lastName: "Durand", '
        'role: BUYER, postalCode: "75011"}) {\n'
        "    errors { code field message }\n    account { id email }\n  }\n}\n",
    ),
    Example(
        "Connexion",
        '# Puis, dans l\'onglet Headers : {"Authorization": "Bearer <token>"}\n'
        'mutation Connexion {\n  login(email: "acheteur@demo.comptoir.fr", '
        'password: "comptoir-demo") {\n    errors { code }\n    token\n  }\n}\n',
    ),
    Example("Moi", "query Moi {\n  me { email role }\n}\n"),
    Example(
        "Commandes en direct",
        "# Avec l'en-tête Authorization ; les événements arrivent "
        "ici\nsubscription CommandesEnDirect {\n  orderEvents { id to order { number } }\n}\n",
    ),
    Example(
        "Mes offres",
        "# Demandes de devis envoyées et offres reçues (« mes offres »)\n"
        "query MesOffres {\n  quotes(filter: {open: true}) {\n    edges { node { number "
        "status respondBy validUntil\n      lines { productName tiers { quantity unitPrice } }"
        " } }\n  }\n}\n",
    ),
    Example(
        "Devis en direct",
        "subscription DevisEnDirect {\n  quoteEvents { id from to quote { number status } }\n}\n",
    ),
)


class GraphiQLFiles:
    """The page and its assets, read once from the package and kept in memory."""

    def __init__(self, endpoint: str = "/graphql") -> None:
        self.assets = {
            path.relative_to(STATIC).as_posix(): path.read_bytes()
            for path in sorted(STATIC.rglob("*"))
            if path.suffix in MEDIA_TYPES
        }
        digest = hashlib.sha256()
        for name, content in self.assets.items():
            digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
        self.base = f"{PREFIX}/{digest.hexdigest()[:16]}"
        self._gzipped: dict[str, bytes] = {}
        config = json.dumps(
            {"endpoint": endpoint, "examples": [e.__dict__ for e in EXAMPLES]}, ensure_ascii=False
        )
        self.html = _PAGE.format(
            styles="".join(
                f'<link rel="stylesheet" href="{self.base}/{escape(s)}">' for s in STYLES
            ),
            scripts="".join(f'<script src="{self.base}/{escape(s)}"></script>' for s in SCRIPTS),
            # "<" escaped so that no example can close the script element early.
            config=config.replace("<", "\\u003c"),
        )

    def page(self) -> Response:
        return HTMLResponse(
            self.html,
            headers={
                "Content-Security-Policy": CSP,
                "Cache-Control": "no-cache",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )

    async def asset(self, request: Request) -> Response:
        """A versioned asset; another version's URL is 404, never today's file under it."""
        name = request.path_params["name"]
        content = self.assets.get(name)
        if request.path_params["version"] != self.base.rsplit("/", 1)[1] or content is None:
            return Response("Not Found", status_code=404, media_type="text/plain")
        headers = {
            "Cache-Control": IMMUTABLE,
            "X-Content-Type-Options": "nosniff",
            "Vary": "Accept-Encoding",
        }
        if "gzip" in request.headers.get("accept-encoding", ""):
            if name not in self._gzipped:
                self._gzipped[name] = gzip.compress(content, 6)
            content = self._gzipped[name]
            headers["Content-Encoding"] = "gzip"
        return Response(content, media_type=MEDIA_TYPES[Path(name).suffix], headers=headers)


def home(*, graphiql: bool) -> Callable[[Request], Awaitable[Response]]:
    """`GET /`: browsers go to GraphiQL, other clients are told what the service is."""

    async def endpoint(request: Request) -> Response:
        if graphiql and "text/html" in request.headers.get("accept", ""):
            return RedirectResponse("/graphql", status_code=303)
        return JSONResponse(
            {
                "service": "comptoir",
                "description": "GraphQL API of a marketplace: catalog, carts, orders, helpdesk, "
                "live events",
                "graphql": "/graphql",
                "subscriptions": {
                    "url": "/graphql",
                    "protocols": ["graphql-transport-ws", "graphql-ws"],
                },
                "graphiql": "/graphql" if graphiql else None,
                "health": "/healthz",
                "ready": "/readyz",
            }
        )

    return endpoint


_PAGE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Comptoir — GraphiQL</title>
<link rel="icon" href="data:,">
{styles}
</head>
<body>
<div id="graphiql">Chargement…</div>
<script type="application/json" id="comptoir-graphiql-config">{config}</script>
{scripts}
</body>
</html>
"""
