"""POST /uploads: real decoding and re-encoding, the limits, owners, links and cleanup."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from PIL import Image

from comptoir.settings import Settings, file_store
from models.claims import Upload
from resolvers.policy import Policy
from resolvers.storage import LocalDiskStore
from resolvers.uploads import UploadInvalid, delete_stale_uploads, reencode
from schema.ids import encode_id
from tests.claims_helpers import (
    OPEN_CLAIM,
    delivered_order,
    jpeg_with_gps,
    png,
    upload,
    uploaded_id,
)
from tests.clients import GraphQLClient


def _claim_input(order_id: int, line_id: int, photo_ids: list[str]) -> dict[str, object]:
    return {
        "orderId": encode_id("Order", order_id),
        "reason": "DAMAGED",
        "body": "Carton écrasé, boîtier fendu.",
        "photoIds": photo_ids,
        "lines": [{"orderLineId": encode_id("OrderLine", line_id), "quantity": 1}],
    }


async def test_a_gps_tagged_jpeg_is_read_back_without_any_exif(
    http: httpx.AsyncClient, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    original = jpeg_with_gps((64, 48))
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the fixture has GPS

    response = await upload(http, buyer, original)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["contentType"] == "image/jpeg"
    assert (body["width"], body["height"]) == (64, 48)
    delivered = await delivered_order(buyer, seller, 2)
    claim = (
        await buyer.mutate_ok(
            OPEN_CLAIM, input=_claim_input(delivered.order.id, delivered.lines[0].id, [body["id"]])
        )
    )["claim"]
    (photo,) = claim["photos"]
    assert photo["id"] == body["id"]
    assert photo["url"].startswith("http://testserver.local/files/")
    # The seller reads the photo through its signed link.
    served = await http.get(photo["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert len(served.content) == body["size"]
    image = Image.open(io.BytesIO(served.content))
    assert image.format == "JPEG"
    assert image.size == (64, 48)
    assert len(image.getexif()) == 0
    assert "exif" not in image.info
    assert b"Comptoir Cam" not in served.content
    assert b"Exif" not in served.content


async def test_a_tampered_or_expired_link_gets_403_and_no_bytes(
    http: httpx.AsyncClient, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    photo_id = await uploaded_id(http, buyer)
    delivered = await delivered_order(buyer, seller, 1)
    claim = (
        await buyer.mutate_ok(
            OPEN_CLAIM, input=_claim_input(delivered.order.id, delivered.lines[0].id, [photo_id])
        )
    )["claim"]
    url = claim["photos"][0]["url"]
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    photo = await Upload.get(claim_id__isnull=False)
    tampered = [
        url.replace(f"/photo/{photo.id}?", f"/photo/{photo.id + 1}?"),
        url.replace(query["expires"][0], str(int(query["expires"][0]) + 60)),
        url[:-1] + ("0" if url[-1] != "0" else "1"),
        f"{parts.scheme}://{parts.netloc}/files/photo/{photo.id}"
        f"?expires={int(datetime.now(UTC).timestamp()) - 1}&signature={query['signature'][0]}",
    ]
    for link in tampered:
        response = await http.get(link)
        assert response.status_code == 403
        assert b"\xff\xd8" not in response.content


async def test_a_file_that_claims_png_but_is_not_an_image_is_415(
    http: httpx.AsyncClient, buyer: GraphQLClient
) -> None:
    response = await upload(http, buyer, b"\x89PNG\r\n\x1a\n" + b"not really" * 50, "image/png")
    assert response.status_code == 415
    assert response.json()["code"] == "UPLOAD_INVALID"
    assert response.json()["message"]
    # A real JPEG sent as PNG, and a type outside the list, are refused the same way.
    assert (await upload(http, buyer, jpeg_with_gps(), "image/png")).status_code == 415
    gif = io.BytesIO()
    Image.new("P", (4, 4)).save(gif, format="GIF")
    assert (await upload(http, buyer, gif.getvalue(), "image/gif")).status_code == 415
    assert await Upload.all().count() == 0


async def test_a_body_over_the_upload_limit_is_413_though_over_the_graphql_limit_is_fine(
    http: httpx.AsyncClient, buyer: GraphQLClient, settings: Settings
) -> None:
    limit = settings.upload_max_bytes
    assert limit == 10 * 1024 * 1024
    # A 2 MiB image is over /graphql's 1 MiB and still accepted here.
    noise = Image.frombytes("RGB", (1024, 1024), bytes(range(256)) * (1024 * 3 * 4))
    out = io.BytesIO()
    noise.save(out, format="PNG", compress_level=0)
    assert len(out.getvalue()) > 2 * 1024 * 1024
    assert (await upload(http, buyer, out.getvalue(), "image/png")).status_code == 201

    response = await upload(http, buyer, b"\xff" * (limit + 1))
    assert response.status_code == 413
    assert response.json()["code"] == "UPLOAD_INVALID"
    assert await Upload.all().count() == 1


def test_a_decompression_bomb_is_refused_from_its_header() -> None:
    with pytest.raises(UploadInvalid) as refused:
        reencode(png((200, 100)), content_type="image/png", max_pixels=10_000)
    assert refused.value.too_large


async def test_anonymous_and_unknown_tokens_get_401(
    http: httpx.AsyncClient, buyer: GraphQLClient
) -> None:
    assert (await upload(http, None, png())).status_code == 401
    stranger = GraphQLClient(http, token="not-a-token")
    response = await upload(http, stranger, png(), "image/png")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"
    assert await Upload.all().count() == 0


async def test_another_users_upload_cannot_be_attached_and_an_attached_one_not_twice(
    http: httpx.AsyncClient, buyer: GraphQLClient, other_buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    theirs = await uploaded_id(http, other_buyer)
    mine = await uploaded_id(http, buyer)
    delivered = await delivered_order(buyer, seller, 3)
    line = delivered.lines[0].id
    refused = await buyer.mutate(OPEN_CLAIM, input=_claim_input(delivered.order.id, line, [theirs]))
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("NOT_FOUND", "photoIds")]
    await buyer.mutate_ok(OPEN_CLAIM, input=_claim_input(delivered.order.id, line, [mine]))
    again = await buyer.mutate(OPEN_CLAIM, input=_claim_input(delivered.order.id, line, [mine]))
    assert [(e["code"], e["field"]) for e in again["errors"]] == [("INVALID_INPUT", "photoIds")]
    assert await Upload.filter(claim_id__isnull=False).count() == 1


async def test_unattached_uploads_go_after_a_day_attached_ones_stay(
    http: httpx.AsyncClient,
    buyer: GraphQLClient,
    seller: GraphQLClient,
    policy: Policy,
    settings: Settings,
) -> None:
    store = file_store(settings)
    assert isinstance(store, LocalDiskStore)
    *_, attached = [await uploaded_id(http, buyer) for _ in range(3)]
    delivered = await delivered_order(buyer, seller, 1)
    await buyer.mutate_ok(
        OPEN_CLAIM, input=_claim_input(delivered.order.id, delivered.lines[0].id, [attached])
    )
    rows = {u.id: u for u in await Upload.all()}
    ids = sorted(rows)  # stale, fresh, attached
    day_ago = datetime.now(UTC) - timedelta(hours=24, minutes=1)
    await Upload.filter(id__in=[ids[0], ids[2]]).update(created_at=day_ago)

    assert await delete_stale_uploads(store=store, policy=policy) == 1

    assert sorted(u.id for u in await Upload.all()) == ids[1:]
    assert await store.get(rows[ids[0]].storage_key) is None
    assert await store.get(rows[ids[2]].storage_key) is not None
    assert await delete_stale_uploads(store=store, policy=policy) == 0


async def test_a_backlog_of_stale_uploads_goes_in_one_call_page_by_page(
    http: httpx.AsyncClient, buyer: GraphQLClient, policy: Policy, settings: Settings
) -> None:
    store = file_store(settings)
    for _ in range(5):
        await uploaded_id(http, buyer)
    keys = [u.storage_key for u in await Upload.all()]
    day_ago = datetime.now(UTC) - timedelta(hours=24, minutes=1)
    await Upload.all().update(created_at=day_ago)

    # After downtime: five stale uploads, read two at a time, all gone in one round.
    assert await delete_stale_uploads(store=store, policy=policy, batch=2) == 5
    assert await Upload.all().count() == 0
    assert [await store.get(key) for key in keys] == [None] * 5
    assert await delete_stale_uploads(store=store, policy=policy, batch=2) == 0


async def test_the_files_route_refuses_unknown_kinds_and_bad_signatures(
    http: httpx.AsyncClient,
) -> None:
    for path in (
        "/files/photo/1?expires=9999999999&signature=00",
        "/files/nothing/1?expires=9999999999&signature=00",
        "/files/photo/x?expires=1&signature=00",
        "/files/photo/1",
    ):
        response = await http.get(path)
        assert response.status_code == 403
        assert response.json()["code"] == "FORBIDDEN"
