"""Buyer–seller threads over HTTP: opening, replying, reading, and who may do what."""

from datetime import UTC, datetime

from models.accounts import Account
from models.events import Event, EventKind
from models.helpdesk import Message
from models.mail import OutboxMail
from tests.clients import GraphQLClient
from tests.factories import PASSWORD
from tests.helpdesk_helpers import (
    MARK_READ,
    OPEN_THREAD,
    POST_MESSAGE,
    THREAD,
    THREADS,
    counts,
    gid,
    open_product_thread,
    product_of,
    seller_of,
)

QUESTION = "Bonjour, ce ciment convient-il pour une dalle extérieure ?"


async def test_a_buyer_opens_a_thread_about_a_product_with_its_seller(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await product_of(seller)
    payload = await buyer.mutate_ok(
        OPEN_THREAD, input={"productId": gid("Product", product.id), "body": QUESTION}
    )
    thread = payload["thread"]
    shop = await seller_of(seller)
    assert thread["subject"] == product.name
    assert thread["buyer"] == {"id": gid("Account", buyer.account_id or 0)}
    assert thread["seller"] == {"id": gid("Seller", shop.id), "name": "BatiPro"}
    assert thread["product"] == {"id": gid("Product", product.id), "name": product.name}
    assert (thread["category"], thread["flagged"], thread["overdue"]) == (None, False, False)
    assert thread["responseDueAt"] is not None
    (edge,) = thread["messages"]["edges"]
    assert edge["node"]["body"] == QUESTION
    assert edge["node"]["authorRole"] == "BUYER"
    assert payload["warnings"] == []
    assert payload["notice"] is None


async def test_opening_a_thread_mails_the_seller_and_logs_one_message_event(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    thread = await open_product_thread(buyer, seller, body=QUESTION)
    mail = await OutboxMail.get()
    assert mail.recipient == "seller@example.fr"
    assert "Nouvelle conversation" in mail.subject
    assert "heures ouvrées" in mail.body
    event = await Event.get()
    message = await Message.get()
    shop = await seller_of(seller)
    assert event.kind is EventKind.MESSAGE
    assert event.payload == {"thread_id": thread.id, "message_id": message.id}
    assert (event.thread_id, event.buyer_id, event.seller_id) == (
        thread.id,
        buyer.account_id,
        shop.id,
    )


async def test_each_reply_appends_one_message_event(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    thread = await open_product_thread(buyer, seller)
    payload = await seller.mutate_ok(
        POST_MESSAGE, threadId=gid("Thread", thread.id), body="Oui, pour une dalle de 10 cm."
    )
    events = await Event.all().order_by("id")
    assert len(events) == 2
    last = await Message.all().order_by("-id").first()
    assert last is not None
    assert events[1].payload["message_id"] == last.id
    assert payload["message"]["authorRole"] == "SELLER"
    assert await OutboxMail.all().count() == 1  # only a new thread mails the seller


async def test_the_seller_replies_and_the_buyer_marks_the_thread_read(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    thread = await open_product_thread(buyer, seller)
    tid = gid("Thread", thread.id)
    assert (await seller.query(THREAD, id=tid))["thread"]["unreadCount"] == 1
    await seller.mutate_ok(POST_MESSAGE, threadId=tid, body="Oui, tout à fait.")
    shown = (await buyer.query(THREAD, id=tid))["thread"]
    assert shown["unreadCount"] == 1
    assert shown["responseDueAt"] is None
    # Reading does not mark read; only markThreadRead does.
    assert (await buyer.query(THREAD, id=tid))["thread"]["unreadCount"] == 1
    payload = await buyer.mutate_ok(MARK_READ, threadId=tid)
    assert payload["thread"] == {"id": tid, "unreadCount": 0}
    messages = (await seller.query(THREAD, id=tid))["thread"]["messages"]["edges"]
    assert messages[0]["node"]["readAt"] is None  # the seller never marked the thread read
    assert messages[1]["node"]["readAt"] is not None
    assert (await seller.query(THREAD, id=tid))["thread"]["unreadCount"] == 1


async def test_an_admin_reads_any_thread_without_changing_its_read_state(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    thread = await open_product_thread(buyer, seller)
    tid = gid("Thread", thread.id)
    shown = (await admin.query(THREAD, id=tid))["thread"]
    assert (shown["id"], shown["unreadCount"]) == (tid, 0)
    await admin.mutate_ok(MARK_READ, threadId=tid)
    assert (await seller.query(THREAD, id=tid))["thread"]["unreadCount"] == 1


async def test_an_admin_never_posts_in_a_buyer_seller_thread(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    thread = await open_product_thread(buyer, seller)
    before = await counts()
    codes = await admin.error_codes(POST_MESSAGE, threadId=gid("Thread", thread.id), body="Hello")
    assert codes == ["FORBIDDEN"]
    assert await counts() == before


async def test_only_participants_and_admins_see_a_thread(
    buyer: GraphQLClient,
    seller: GraphQLClient,
    other_buyer: GraphQLClient,
    other_seller: GraphQLClient,
    anonymous: GraphQLClient,
) -> None:
    thread = await open_product_thread(buyer, seller)
    tid = gid("Thread", thread.id)
    assert await other_buyer.query(THREAD, id=tid) == {"thread": None}
    assert await other_seller.query(THREAD, id=tid) == {"thread": None}
    assert await anonymous.error_codes(THREAD, id=tid) == ["UNAUTHENTICATED"]
    assert (await other_buyer.query(THREADS))["threads"]["edges"] == []
    assert (await other_seller.query(THREADS))["threads"]["edges"] == []
    assert await anonymous.error_codes(THREADS) == ["UNAUTHENTICATED"]


async def test_an_unknown_or_malformed_thread_id_reads_as_missing(buyer: GraphQLClient) -> None:
    assert await buyer.query(THREAD, id=gid("Thread", 999)) == {"thread": None}
    assert await buyer.query(THREAD, id=gid("Product", 1)) == {"thread": None}
    assert await buyer.error_codes(THREAD, id="%%%") == ["INVALID_INPUT"]


async def test_strangers_cannot_post_in_a_thread(
    buyer: GraphQLClient,
    seller: GraphQLClient,
    other_buyer: GraphQLClient,
    other_seller: GraphQLClient,
    anonymous: GraphQLClient,
) -> None:
    thread = await open_product_thread(buyer, seller)
    tid = gid("Thread", thread.id)
    before = await counts()
    assert await other_buyer.refused(POST_MESSAGE, threadId=tid, body="Salut") == ["NOT_FOUND"]
    assert await other_seller.refused(POST_MESSAGE, threadId=tid, body="Salut") == ["NOT_FOUND"]
    assert await anonymous.error_codes(POST_MESSAGE, threadId=tid, body="Salut") == [
        "UNAUTHENTICATED"
    ]
    assert await buyer.refused(POST_MESSAGE, threadId=gid("Thread", 999), body="Salut") == [
        "NOT_FOUND"
    ]
    assert await buyer.refused(POST_MESSAGE, threadId="%%%", body="Salut") == ["INVALID_INPUT"]
    assert await counts() == before


async def test_strangers_cannot_mark_a_thread_read(
    buyer: GraphQLClient,
    seller: GraphQLClient,
    other_buyer: GraphQLClient,
    other_seller: GraphQLClient,
    anonymous: GraphQLClient,
) -> None:
    thread = await open_product_thread(buyer, seller)
    tid = gid("Thread", thread.id)
    assert await other_buyer.refused(MARK_READ, threadId=tid) == ["NOT_FOUND"]
    assert await other_seller.refused(MARK_READ, threadId=tid) == ["NOT_FOUND"]
    assert await anonymous.error_codes(MARK_READ, threadId=tid) == ["UNAUTHENTICATED"]
    assert await Message.filter(read_at__isnull=False).count() == 0


async def test_message_bodies_must_hold_1_to_10000_characters(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    thread = await open_product_thread(buyer, seller)
    tid = gid("Thread", thread.id)
    before = await counts()
    for body in ("", "   \n ", "x" * 10_001):
        payload = await buyer.mutate(POST_MESSAGE, threadId=tid, body=body)
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", "body")]
        assert payload["message"] is None
    assert await counts() == before
    payload = await buyer.mutate_ok(POST_MESSAGE, threadId=tid, body="y" * 10_000)
    assert len(payload["message"]["body"]) == 10_000


async def test_a_body_over_one_mebibyte_is_refused_by_the_http_layer(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    thread = await open_product_thread(buyer, seller)
    before = await counts()
    response = await buyer.http.post(
        "/graphql",
        headers=buyer.headers,
        json={
            "query": POST_MESSAGE,
            "variables": {"threadId": gid("Thread", thread.id), "body": "z" * (1024 * 1024)},
        },
    )
    assert response.status_code == 413
    assert await counts() == before


async def test_opening_a_thread_refuses_bad_input_and_changes_nothing(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await product_of(seller)
    pid = gid("Product", product.id)
    before = await counts()
    cases = [
        ({"productId": pid, "body": ""}, [("INVALID_INPUT", "body")]),
        ({"productId": pid, "body": "x" * 10_001}, [("INVALID_INPUT", "body")]),
        (
            {"productId": pid, "body": "Bonjour", "subject": "s" * 201},
            [("INVALID_INPUT", "subject")],
        ),
        ({"body": "Bonjour"}, [("INVALID_INPUT", "orderId")]),
        ({"productId": gid("Product", 999), "body": "Bonjour"}, [("NOT_FOUND", "productId")]),
        ({"productId": "%%%", "body": "Bonjour"}, [("INVALID_INPUT", "productId")]),
        ({"productId": gid("Seller", 1), "body": "Bonjour"}, [("NOT_FOUND", "productId")]),
        ({"orderId": gid("Order", 999), "body": "Bonjour"}, [("NOT_FOUND", "orderId")]),
        (
            {"orderId": "%%%", "productId": gid("Seller", 1), "body": "Bonjour"},
            [("INVALID_INPUT", "orderId"), ("NOT_FOUND", "productId")],
        ),
    ]
    for given, expected in cases:
        payload = await buyer.mutate(OPEN_THREAD, input=given)
        assert [(e["code"], e["field"]) for e in payload["errors"]] == expected, given
        assert payload["thread"] is None
        assert payload["warnings"] is None
    assert await counts() == before


async def test_only_buyers_open_threads(
    seller: GraphQLClient, admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    product = await product_of(seller)
    given = {"productId": gid("Product", product.id), "body": "Bonjour"}
    before = await counts()
    assert await seller.error_codes(OPEN_THREAD, input=given) == ["FORBIDDEN"]
    assert await admin.error_codes(OPEN_THREAD, input=given) == ["FORBIDDEN"]
    assert await anonymous.error_codes(OPEN_THREAD, input=given) == ["UNAUTHENTICATED"]
    assert await counts() == before


async def test_messages_are_oldest_first_and_paginated(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    thread = await open_product_thread(buyer, seller, body="un")
    tid = gid("Thread", thread.id)
    for body in ("deux", "trois"):
        await buyer.mutate_ok(POST_MESSAGE, threadId=tid, body=body)
    doc = """query($id: ID!, $after: String) { thread(id: $id) {
      messages(first: 2, after: $after) { edges { node { body } }
                                           pageInfo { hasNextPage endCursor } } } }"""
    first = (await seller.query(doc, id=tid))["thread"]["messages"]
    assert [e["node"]["body"] for e in first["edges"]] == ["un", "deux"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = await seller.query(doc, id=tid, after=first["pageInfo"]["endCursor"])
    assert [e["node"]["body"] for e in rest["thread"]["messages"]["edges"]] == ["trois"]
    assert await seller.error_codes(doc, id=tid, after="bm9wZQ") == ["INVALID_INPUT"]
    too_many = "query($id: ID!) { thread(id: $id) { messages(first: 101) { edges { cursor } } } }"
    assert await seller.error_codes(too_many, id=tid) == ["INVALID_INPUT"]


async def test_threads_are_listed_most_recently_active_first_and_paginated(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    threads = [await open_product_thread(buyer, seller, body=f"question {i}") for i in range(3)]
    await buyer.mutate_ok(POST_MESSAGE, threadId=gid("Thread", threads[0].id), body="relance")
    expected = [gid("Thread", t.id) for t in (threads[0], threads[2], threads[1])]
    seen: list[str] = []
    after = None
    while True:
        data = (await seller.query(THREADS, first=2, after=after))["threads"]
        seen += [e["node"]["id"] for e in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert seen == expected
    assert await seller.error_codes(THREADS, first=101) == ["INVALID_INPUT"]


async def test_a_message_with_contact_details_is_posted_flagged_and_queued_for_admins(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    quiet = await open_product_thread(buyer, seller)
    thread = await open_product_thread(buyer, seller)
    tid = gid("Thread", thread.id)
    payload = await seller.mutate_ok(
        POST_MESSAGE, threadId=tid, body="Appelez-moi au 06 12 34 56 78 ou jean@batipro.fr"
    )
    assert payload["message"]["flagged"] is True
    (warning,) = payload["warnings"]
    assert (warning["code"], warning["field"]) == ("CONTACT_DETAILS_NOT_ALLOWED", "body")
    assert "plateforme" in warning["message"]
    shown = (await admin.query(THREAD, id=tid))["thread"]["messages"]["edges"][-1]["node"]
    assert shown["flaggedKinds"] == ["email", "phone"]
    queue = (await admin.query(THREADS, filter={"flagged": True}))["threads"]["edges"]
    assert [e["node"]["id"] for e in queue] == [tid]
    assert queue[0]["node"]["flagged"] is True
    calm = (await admin.query(THREADS, filter={"flagged": False}))["threads"]["edges"]
    assert [e["node"]["id"] for e in calm] == [gid("Thread", quiet.id)]
    assert (await buyer.query(THREAD, id=tid))["thread"]["flagged"] is True


async def test_a_first_message_with_contact_details_warns_the_buyer(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await product_of(seller)
    payload = await buyer.mutate_ok(
        OPEN_THREAD,
        input={
            "productId": gid("Product", product.id),
            "body": "Mon site : www.chantier-martin.fr",
        },
    )
    assert [w["code"] for w in payload["warnings"]] == ["CONTACT_DETAILS_NOT_ALLOWED"]
    assert payload["thread"]["flagged"] is True


async def test_a_deleted_author_shows_as_nobody_and_the_archive_stays(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    thread = await open_product_thread(buyer, seller, body="Question")
    await Account.filter(id=buyer.account_id).update(
        email="deleted-1@invalid", first_name="", last_name="", deleted_at=datetime.now(UTC)
    )
    shown = (await seller.query(THREAD, id=gid("Thread", thread.id)))["thread"]
    assert shown["buyer"] is None
    (edge,) = shown["messages"]["edges"]
    assert (edge["node"]["author"], edge["node"]["body"]) == (None, "Question")


async def test_a_subject_is_kept_on_one_line(buyer: GraphQLClient, seller: GraphQLClient) -> None:
    product = await product_of(seller)
    payload = await buyer.mutate_ok(
        OPEN_THREAD,
        input={
            "productId": gid("Product", product.id),
            "subject": "Devis\r\nBcc: x@example.com ",
            "body": "Bonjour",
        },
    )
    assert payload["thread"]["subject"] == "Devis Bcc: x@example.com"
    assert "\n" not in (await OutboxMail.get()).subject


async def test_deleting_the_buyer_account_keeps_the_thread_and_its_messages(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    thread = await open_product_thread(buyer, seller, body="Question")
    tid = gid("Thread", thread.id)
    await seller.mutate_ok(POST_MESSAGE, threadId=tid, body="Réponse")
    await buyer.mutate_ok(
        "mutation($p: String!) { deleteAccount(password: $p) { errors { code } } }", p=PASSWORD
    )
    for viewer in (seller, admin):
        shown = (await viewer.query(THREAD, id=tid))["thread"]
        assert shown["buyer"] is None  # anonymised
        bodies = [
            (e["node"]["body"], e["node"]["authorRole"], e["node"]["author"])
            for e in shown["messages"]["edges"]
        ]
        assert [(b, r) for b, r, _ in bodies] == [("Question", "BUYER"), ("Réponse", "SELLER")]
        assert bodies[0][2] is None
        assert bodies[1][2] is not None
    assert await Message.all().count() == 2


async def test_a_subject_of_exactly_200_characters_is_accepted(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await product_of(seller)
    payload = await buyer.mutate_ok(
        OPEN_THREAD,
        input={"productId": gid("Product", product.id), "subject": "é" * 200, "body": "Bonjour"},
    )
    assert payload["thread"]["subject"] == "é" * 200
