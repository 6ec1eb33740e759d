"""The log formatters: what a line may never contain, whatever the code logs."""

from __future__ import annotations

import json
import logging
import sys

from graphql import GraphQLError, Source

from comptoir.logs import CURRENT, JsonFormatter, RequestLog, scrub


def test_secrets_are_redacted_from_any_message() -> None:
    text = scrub(
        'Authorization: Bearer abc.DEF-123, {"password": "p4ss w", "token":"t0k"} '
        "GET /files/x/1?expires=9&signature=s1g HTTP/1.1"
    )
    for secret in ("abc.DEF-123", "p4ss", "t0k", "s1g"):
        assert secret not in text
    assert "Bearer [redacted]" in text
    assert "expires=9" in text


def test_a_graphql_error_never_shows_the_document_it_quotes() -> None:
    document = 'mutation { login(email: "a@b.fr", password: "litteral-secret") { tokenz } }'
    error = GraphQLError(
        "Cannot query field 'tokenz'", source=Source(document), positions=[document.index("tokenz")]
    )
    assert "litteral-secret" in str(error)  # what graphql-core would print
    try:
        raise error
    except GraphQLError:
        record = logging.LogRecord(
            "strawberry.execution", logging.ERROR, __file__, 1, "%s", (error,), sys.exc_info()
        )
    token = CURRENT.set(RequestLog("req-1", "Connexion", 7))
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        CURRENT.reset(token)
    assert "litteral-secret" not in json.dumps(line)
    assert line["message"] == "Cannot query field 'tokenz'"
    assert (line["request_id"], line["operation"], line["actor_id"]) == ("req-1", "Connexion", 7)
