"""GraphiQL's page and files as HTTP serves them (the browser test runs them for real)."""

from __future__ import annotations

import os
import re

import httpx
from graphql import parse, validate
from starlette.applications import Starlette

from comptoir.app import create_app, guard
from comptoir.graphiql import CSP, EXAMPLES, GraphiQLFiles
from comptoir.settings import Settings
from schema import build_schema
from schema.compat import graphql_schema

HTML = {"Accept": "text/html,application/xhtml+xml"}


async def _asset_urls(http: httpx.AsyncClient) -> list[str]:
    page = (await http.get("/graphql", headers=HTML)).text
    return re.findall(r'(?:src|href)="(/graphiql/[^"]+)"', page)


async def test_a_browser_asking_for_the_root_is_sent_to_graphiql(http: httpx.AsyncClient) -> None:
    response = await http.get("/", headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] == "/graphql"


async def test_other_clients_are_told_what_the_service_is(http: httpx.AsyncClient) -> None:
    response = await http.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    body = response.json()
    assert body["service"] == "comptoir"
    assert (body["graphql"], body["graphiql"]) == ("/graphql", "/graphql")
    assert body["subscriptions"]["protocols"] == ["graphql-transport-ws", "graphql-ws"]


async def test_the_page_loads_only_its_own_files_under_a_strict_policy(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get("/graphql", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CSP
    assert "script-src 'self';" in CSP
    assert "unsafe" not in CSP
    assert "unpkg" not in response.text
    assert "<script>" not in response.text  # no inline script: the CSP would block it
    urls = await _asset_urls(http)
    assert len(urls) == 8
    for url in urls:
        asset = await http.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert asset.headers["content-type"].startswith(("text/javascript", "text/css"))


async def test_assets_are_gzipped_for_clients_that_accept_it(http: httpx.AsyncClient) -> None:
    url = next(u for u in await _asset_urls(http) if u.endswith("graphiql.min.js"))
    plain = await http.get(url, headers={"Accept-Encoding": "identity"})
    zipped = await http.get(url, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < len(plain.content) / 2
    assert zipped.content == plain.content  # httpx decoded it


async def test_an_old_version_or_an_unknown_file_is_not_found(http: httpx.AsyncClient) -> None:
    url = (await _asset_urls(http))[0]
    version = url.split("/")[2]
    assert (await http.get(url.replace(version, "0" * 16))).status_code == 404
    assert (await http.get(f"/graphiql/{version}/vendor/VERSIONS")).status_code == 404
    assert (await http.get(f"/graphiql/{version}/%2e%2e/graphiql.py")).status_code == 404


def test_the_version_in_the_urls_follows_the_files_content() -> None:
    files = GraphiQLFiles()
    assert GraphiQLFiles().base == files.base
    assert len(files.assets) == 8
    assert all(content for content in files.assets.values())


def test_the_example_operations_are_valid_against_the_schema() -> None:
    schema = graphql_schema(build_schema(guard(Settings.from_env())))
    for example in EXAMPLES:
        assert validate(schema, parse(example.query)) == [], example.title


async def test_without_graphiql_there_is_no_page_and_no_files() -> None:
    settings = Settings.from_env({**os.environ, "COMPTOIR_GRAPHIQL": "0"})
    app: Starlette = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
    ) as http:
        assert (await http.get("/graphql", headers=HTML)).status_code == 404
        response = await http.get("/", headers=HTML)
        assert response.status_code == 200
        assert response.json()["graphiql"] is None
