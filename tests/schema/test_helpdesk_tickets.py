"""Support tickets over HTTP: the platform (admins) is the other party."""

from models.events import Event
from models.mail import OutboxMail
from schema.ids import decode_id
from tests.clients import GraphQLClient
from tests.helpdesk_helpers import (
    MARK_READ,
    OPEN_TICKET,
    POST_MESSAGE,
    THREAD,
    THREADS,
    counts,
    gid,
    make_order,
    open_product_thread,
)

LOST_PARCEL = "Le suivi indique livré mais je n'ai rien reçu, ni chez le gardien."


async def test_a_delivery_ticket_tells_the_buyer_investigations_take_5_to_10_business_days(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    order = await make_order(buyer, seller)
    payload = await buyer.mutate_ok(
        OPEN_TICKET,
        input={
            "category": "DELIVERY",
            "body": LOST_PARCEL,
            "orderId": gid("Order", order.id),
            "trackingNumber": "6A12345678901",
        },
    )
    assert "entre 5 et 10 jours ouvrés" in payload["notice"]
    ticket = payload["thread"]
    assert (ticket["category"], ticket["trackingNumber"]) == ("DELIVERY", "6A12345678901")
    assert (ticket["seller"], ticket["subject"]) == (None, "Livraison")
    assert (ticket["responseDueAt"], ticket["overdue"]) == (None, False)
    first, platform = [e["node"] for e in ticket["messages"]["edges"]]
    assert (first["authorRole"], first["body"]) == ("BUYER", LOST_PARCEL)
    assert (platform["authorRole"], platform["author"]) == ("ADMIN", None)
    assert "entre 5 et 10 jours ouvrés" in platform["body"]
    assert ticket["unreadCount"] == 1  # the platform's message
    events = await Event.all().order_by("id")
    ticket_pk = decode_id(ticket["id"], "Thread")
    assert [(e.thread_id, e.buyer_id, e.seller_id) for e in events] == [
        (ticket_pk, buyer.account_id, None)
    ] * 2
    assert await OutboxMail.all().count() == 0  # no seller to mail


async def test_other_categories_get_no_automatic_message(buyer: GraphQLClient) -> None:
    payload = await buyer.mutate_ok(
        OPEN_TICKET,
        input={
            "category": "LOGIN",
            "subject": "Connexion impossible",
            "body": "Mot de passe refusé",
        },
    )
    assert payload["notice"] is None
    assert len(payload["thread"]["messages"]["edges"]) == 1
    assert payload["thread"]["subject"] == "Connexion impossible"


async def test_admins_answer_tickets_as_admin_and_the_buyer_reads_them(
    buyer: GraphQLClient, admin: GraphQLClient
) -> None:
    ticket = (
        await buyer.mutate_ok(
            OPEN_TICKET,
            input={"category": "PAYMENT", "body": "Mon paiement a été refusé deux fois."},
        )
    )["thread"]
    queue = (await admin.query(THREADS, filter={"ticket": True}))["threads"]["edges"]
    assert [e["node"]["id"] for e in queue] == [ticket["id"]]
    assert queue[0]["node"]["unreadCount"] == 1
    answer = await admin.mutate_ok(
        POST_MESSAGE, threadId=ticket["id"], body="Votre banque a bloqué l'opération, réessayez."
    )
    assert answer["message"]["authorRole"] == "ADMIN"
    assert answer["message"]["author"] is not None
    await admin.mutate_ok(MARK_READ, threadId=ticket["id"])
    assert (await admin.query(THREAD, id=ticket["id"]))["thread"]["unreadCount"] == 0
    assert (await buyer.query(THREAD, id=ticket["id"]))["thread"]["unreadCount"] == 1
    await buyer.mutate_ok(MARK_READ, threadId=ticket["id"])
    assert (await buyer.query(THREAD, id=ticket["id"]))["thread"]["unreadCount"] == 0


async def test_the_ticket_filter_separates_tickets_from_seller_threads(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    thread = await open_product_thread(buyer, seller)
    ticket = (
        await buyer.mutate_ok(OPEN_TICKET, input={"category": "OTHER", "body": "Une question"})
    )["thread"]
    only_tickets = (await buyer.query(THREADS, filter={"ticket": True}))["threads"]["edges"]
    assert [e["node"]["id"] for e in only_tickets] == [ticket["id"]]
    no_tickets = (await buyer.query(THREADS, filter={"ticket": False}))["threads"]["edges"]
    assert [e["node"]["id"] for e in no_tickets] == [gid("Thread", thread.id)]


async def test_only_the_opener_and_admins_see_a_ticket(
    buyer: GraphQLClient,
    other_buyer: GraphQLClient,
    seller: GraphQLClient,
    anonymous: GraphQLClient,
) -> None:
    ticket = (
        await buyer.mutate_ok(
            OPEN_TICKET, input={"category": "SECURITY", "body": "Connexion suspecte sur mon compte"}
        )
    )["thread"]
    for stranger in (other_buyer, seller):
        assert await stranger.query(THREAD, id=ticket["id"]) == {"thread": None}
        assert (await stranger.query(THREADS))["threads"]["edges"] == []
        assert await stranger.refused(POST_MESSAGE, threadId=ticket["id"], body="Hop") == [
            "NOT_FOUND"
        ]
    assert await anonymous.error_codes(THREAD, id=ticket["id"]) == ["UNAUTHENTICATED"]


async def test_only_buyers_open_support_tickets(
    seller: GraphQLClient, admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    given = {"category": "DISPLAY", "body": "La page produit est blanche"}
    before = await counts()
    assert await seller.error_codes(OPEN_TICKET, input=given) == ["FORBIDDEN"]
    assert await admin.error_codes(OPEN_TICKET, input=given) == ["FORBIDDEN"]
    assert await anonymous.error_codes(OPEN_TICKET, input=given) == ["UNAUTHENTICATED"]
    assert await counts() == before


async def test_a_ticket_refuses_bad_input_and_someone_elses_order(
    buyer: GraphQLClient, other_buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    theirs = await make_order(other_buyer, seller)
    before = await counts()
    cases = [
        ({"body": ""}, [("INVALID_INPUT", "body")]),
        ({"body": "x" * 10_001}, [("INVALID_INPUT", "body")]),
        ({"body": "Bonjour", "subject": " "}, [("INVALID_INPUT", "subject")]),
        ({"body": "Bonjour", "trackingNumber": "9" * 101}, [("INVALID_INPUT", "trackingNumber")]),
        ({"body": "Bonjour", "orderId": gid("Order", theirs.id)}, [("NOT_FOUND", "orderId")]),
        ({"body": "Bonjour", "orderId": gid("Order", 999)}, [("NOT_FOUND", "orderId")]),
        ({"body": "Bonjour", "orderId": "%%%"}, [("INVALID_INPUT", "orderId")]),
    ]
    for given, expected in cases:
        payload = await buyer.mutate(OPEN_TICKET, input={"category": "DELIVERY", **given})
        assert [(e["code"], e["field"]) for e in payload["errors"]] == expected, given
        assert payload["thread"] is None
        assert payload["notice"] is None
    assert await buyer.error_codes(OPEN_TICKET, input={"category": "REFUND", "body": "x"})
    assert await counts() == before
