"""A GraphQL client per kind of caller, speaking HTTP to the app."""

from __future__ import annotations

import json
from typing import Any

import httpx


class GraphQLError(AssertionError):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code", "") for e in self.errors]


class GraphQLClient:
    def __init__(
        self, http: httpx.AsyncClient, token: str | None = None, account_id: int | None = None
    ) -> None:
        self.http = http
        self.token = token
        self.account_id = account_id

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def execute(self, query: str, **variables: Any) -> dict[str, Any]:
        """The whole response body (data and errors)."""
        # Escaped as JSON.stringify escapes lone surrogates (httpx's `json=` cannot send them).
        response = await self.http.post(
            "/graphql",
            content=json.dumps({"query": query, "variables": variables}),
            headers={"Content-Type": "application/json", **self.headers},
        )
        assert response.status_code == 200, (response.status_code, response.text)
        body: dict[str, Any] = response.json()
        return body

    async def query(self, query: str, **variables: Any) -> dict[str, Any]:
        """The data of a document that must succeed; raises GraphQLError otherwise."""
        body = await self.execute(query, **variables)
        if body.get("errors"):
            raise GraphQLError(body["errors"])
        data: dict[str, Any] = body["data"]
        return data

    async def error_codes(self, query: str, **variables: Any) -> list[str]:
        """The top-level error codes of a document that must fail."""
        body = await self.execute(query, **variables)
        assert body.get("errors"), f"expected errors, got {body}"
        return [e.get("extensions", {}).get("code", "") for e in body["errors"]]

    async def mutate(self, query: str, **variables: Any) -> dict[str, Any]:
        """The single payload of a mutation document, asserting no top-level errors."""
        data = await self.query(query, **variables)
        (payload,) = data.values()
        assert isinstance(payload, dict)
        return payload

    async def mutate_ok(self, query: str, **variables: Any) -> dict[str, Any]:
        """The payload of a mutation that must succeed (empty `errors`)."""
        payload = await self.mutate(query, **variables)
        assert payload["errors"] == [], payload["errors"]
        return payload

    async def refused(self, query: str, **variables: Any) -> list[str]:
        """The payload error codes of a mutation that must be refused."""
        payload = await self.mutate(query, **variables)
        assert payload["errors"], f"expected a refusal, got {payload}"
        for key, value in payload.items():
            if key != "errors":
                assert value is None, f"{key} must be null when errors is not empty"
        return [e["code"] for e in payload["errors"]]
