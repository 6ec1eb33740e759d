"""Signed links: a link verifies until it expires, and any changed part stops verifying."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from realtime.doorbell import Doorbell
from resolvers.links import signed_url, verify_link
from resolvers.policy import Policy

POLICY = Policy(
    doorbell=Doorbell(),
    public_url="https://api.example.fr",
    secret_key="k" * 32,
    document_link_minutes=15,
)
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_a_signed_link_verifies_until_it_expires() -> None:
    url = signed_url(policy=POLICY, kind="photo", object_id=7, now=NOW)
    query = _query(url)
    assert url.startswith("https://api.example.fr/files/photo/7?")
    assert verify_link(
        policy=POLICY, kind="photo", object_id=7, now=NOW + timedelta(minutes=14), **query
    )
    assert not verify_link(
        policy=POLICY,
        kind="photo",
        object_id=7,
        now=NOW + timedelta(minutes=15, seconds=1),
        **query,
    )


def test_a_changed_id_kind_expiry_or_secret_does_not_verify() -> None:
    query = _query(signed_url(policy=POLICY, kind="photo", object_id=7, now=NOW))
    assert not verify_link(policy=POLICY, kind="photo", object_id=8, now=NOW, **query)
    assert not verify_link(policy=POLICY, kind="invoice", object_id=7, now=NOW, **query)
    later = str(int(query["expires"]) + 3600)
    assert not verify_link(
        policy=POLICY,
        kind="photo",
        object_id=7,
        now=NOW,
        expires=later,
        signature=query["signature"],
    )
    other = Policy(doorbell=Doorbell(), public_url=POLICY.public_url, secret_key="x" * 32)
    assert not verify_link(policy=other, kind="photo", object_id=7, now=NOW, **query)
    assert not verify_link(
        policy=POLICY,
        kind="photo",
        object_id=7,
        now=NOW,
        expires="-1",
        signature=query["signature"],
    )
