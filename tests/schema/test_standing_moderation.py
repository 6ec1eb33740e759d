"""Admins review flagged messages once each: dismiss, warn by mail, or suspend the seller."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from models.accounts import Seller
from models.mail import OutboxMail
from models.standing import FlagDecision, FlagReview, Suspension
from resolvers.helpdesk import post_message
from tests.clients import GraphQLClient
from tests.configuration import POLICY
from tests.helpdesk_helpers import actor_of, gid, open_product_thread
from tests.standing_helpers import (
    CONTACT,
    REINSTATE,
    REVIEW,
    SUSPEND,
    flagged_buyer_message,
    flagged_seller_message,
    moderation_state,
    queue,
    shop_gid,
    thread_gid,
)


async def test_the_queue_lists_flagged_threads_until_each_flag_is_decided(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    clean = await open_product_thread(buyer, seller)
    message = await flagged_seller_message(buyer, seller)
    assert await queue(admin) == [thread_gid(message.thread_id)]
    assert thread_gid(clean) not in await queue(admin)
    payload = await admin.mutate_ok(
        REVIEW, m=gid("Message", message.id), d="DISMISSED", note="Numéro de la société, toléré"
    )
    review = payload["message"]["review"]
    assert review["decision"] == "DISMISSED"
    assert review["note"] == "Numéro de la société, toléré"
    assert review["by"] == {"id": gid("Account", admin.account_id or 0)}
    at = datetime.fromisoformat(review["at"])
    assert abs(at - datetime.now(UTC)) < timedelta(seconds=30)
    assert await queue(admin) == []
    # The thread stays flagged: the archive keeps what was written.
    reviewed = await admin.query(
        "{ threads(filter: {flagged: true, reviewed: true}) { edges { node { id } } } }"
    )
    assert [e["node"]["id"] for e in reviewed["threads"]["edges"]] == [
        thread_gid(message.thread_id)
    ]


async def test_a_thread_waits_in_the_queue_until_each_of_its_flags_is_decided(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    first = await flagged_seller_message(buyer, seller)
    actor = await actor_of(seller)

    async def flag_again() -> int:
        posted = await post_message(actor, thread_id=first.thread_id, body=CONTACT, policy=POLICY)
        assert posted.message.flagged
        return posted.message.id

    second = await flag_again()
    await admin.mutate_ok(REVIEW, m=gid("Message", first.id), d="DISMISSED")
    assert await queue(admin) == [thread_gid(first.thread_id)]
    await admin.mutate_ok(REVIEW, m=gid("Message", second), d="WARNED")
    assert await queue(admin) == []
    # A new flag in a reviewed thread brings it back.
    third = await flag_again()
    assert await queue(admin) == [thread_gid(first.thread_id)]
    await admin.mutate_ok(REVIEW, m=gid("Message", third), d="DISMISSED")
    assert await queue(admin) == []


async def test_a_second_decision_on_one_message_is_an_invalid_transition(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    message = await flagged_seller_message(buyer, seller)
    await admin.mutate_ok(REVIEW, m=gid("Message", message.id), d="DISMISSED")
    before = await moderation_state()
    assert await admin.refused(REVIEW, m=gid("Message", message.id), d="WARNED") == [
        "INVALID_TRANSITION"
    ]
    assert await admin.refused(REVIEW, m=gid("Message", message.id), d="SUSPENDED", days=3) == [
        "INVALID_TRANSITION"
    ]
    assert await moderation_state() == before
    assert (await FlagReview.get()).decision is FlagDecision.DISMISSED


async def test_two_admins_deciding_at_once_record_one_decision(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    message = await flagged_seller_message(buyer, seller)
    results = await asyncio.gather(
        *(
            admin.mutate(REVIEW, m=gid("Message", message.id), d=decision)
            for decision in ("WARNED", "DISMISSED", "WARNED", "DISMISSED")
        )
    )
    codes = sorted(e["code"] for r in results for e in r["errors"])
    assert codes == ["INVALID_TRANSITION"] * 3
    assert await FlagReview.all().count() == 1
    warned = (await FlagReview.get()).decision is FlagDecision.WARNED
    assert await OutboxMail.filter(subject__contains="Avertissement").count() == int(warned)


async def test_warning_mails_the_author_and_only_the_author(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    message = await flagged_buyer_message(buyer, seller)
    mails = await OutboxMail.all().count()
    await admin.mutate_ok(
        REVIEW, m=gid("Message", message.id), d="WARNED", note="Merci de rester sur la messagerie."
    )
    (mail,) = await OutboxMail.filter(id__gt=mails)
    assert mail.recipient == "buyer@example.fr"
    assert "hors plateforme" in mail.subject
    assert "Merci de rester sur la messagerie." in mail.body
    assert await Seller.filter(suspended_until__isnull=False).count() == 0


async def test_suspending_from_a_flag_suspends_the_messages_seller_and_mails_it(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    message = await flagged_seller_message(buyer, seller)
    mails = await OutboxMail.all().count()
    payload = await admin.mutate_ok(
        REVIEW,
        m=gid("Message", message.id),
        d="SUSPENDED",
        days=7,
        note="Numéro de téléphone donné à l'acheteur",
    )
    assert payload["message"]["review"]["decision"] == "SUSPENDED"
    shop = await Seller.get(account_id=seller.account_id)
    assert shop.suspended_until is not None
    expected = datetime.now(UTC) + timedelta(days=7)
    assert abs(shop.suspended_until - expected) < timedelta(seconds=30)
    suspension = await Suspension.get()
    assert (suspension.by_id, suspension.seller_id) == (admin.account_id, shop.id)
    assert suspension.review_id == (await FlagReview.get()).id
    (mail,) = await OutboxMail.filter(id__gt=mails)
    assert mail.recipient == "seller@example.fr"
    assert "suspendu jusqu'au" in mail.body
    assert "Numéro de téléphone" in mail.body
    me = await seller.query("{ me { id } }")
    assert me["me"] is not None  # the seller keeps its account and can still log in


async def test_a_suspension_needs_days_within_a_year_and_a_seller_author(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    by_seller = await flagged_seller_message(buyer, seller)
    by_buyer = await flagged_buyer_message(buyer, seller)
    before = await moderation_state()
    for days, field in ((None, "suspendDays"), (0, "suspendDays"), (366, "suspendDays")):
        payload = await admin.mutate(
            REVIEW, m=gid("Message", by_seller.id), d="SUSPENDED", days=days
        )
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", field)]
    assert await admin.refused(REVIEW, m=gid("Message", by_buyer.id), d="SUSPENDED", days=3) == [
        "INVALID_INPUT"
    ]
    assert await admin.refused(REVIEW, m=gid("Message", by_seller.id), d="DISMISSED", days=3) == [
        "INVALID_INPUT"
    ]
    assert await moderation_state() == before


async def test_an_unflagged_or_unknown_message_has_nothing_to_review(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    thread = await open_product_thread(buyer, seller)
    before = await moderation_state()
    clean = await thread.messages.all().first()
    assert clean is not None
    assert await admin.refused(REVIEW, m=gid("Message", clean.id), d="DISMISSED") == [
        "INVALID_TRANSITION"
    ]
    assert await admin.refused(REVIEW, m=gid("Message", 999_999), d="DISMISSED") == ["NOT_FOUND"]
    assert await admin.refused(REVIEW, m="@@", d="DISMISSED") == ["INVALID_INPUT"]
    assert await moderation_state() == before


async def test_only_admins_moderate(
    buyer: GraphQLClient,
    seller: GraphQLClient,
    other_seller: GraphQLClient,
    anonymous: GraphQLClient,
    admin: GraphQLClient,
) -> None:
    message = await flagged_seller_message(buyer, seller)
    shop = await shop_gid(seller)
    before = await moderation_state()
    for caller in (buyer, seller, other_seller):
        assert await caller.error_codes(REVIEW, m=gid("Message", message.id), d="DISMISSED") == [
            "FORBIDDEN"
        ]
        assert await caller.error_codes(SUSPEND, s=shop, days=3, reason="x") == ["FORBIDDEN"]
        assert await caller.error_codes(REINSTATE, s=shop) == ["FORBIDDEN"]
    assert await anonymous.error_codes(REVIEW, m=gid("Message", message.id), d="DISMISSED") == [
        "UNAUTHENTICATED"
    ]
    assert await anonymous.error_codes(SUSPEND, s=shop, days=3, reason="x") == ["UNAUTHENTICATED"]
    assert await moderation_state() == before
    # Participants read the thread, but the moderation queue and decisions are the admins'.
    assert await seller.query(
        "{ threads(filter: {flagged: true, reviewed: false}) { edges { node { id } } } }"
    ) == {"threads": {"edges": [{"node": {"id": thread_gid(message.thread_id)}}]}}
    await admin.mutate_ok(REVIEW, m=gid("Message", message.id), d="DISMISSED")
    read = (
        "query($id: ID!) { thread(id: $id) { messages { edges { node { flagged"
        " review { decision } } } } } }"
    )
    for caller in (buyer, seller):
        data = await caller.query(read, id=thread_gid(message.thread_id))
        assert all(e["node"]["review"] is None for e in data["thread"]["messages"]["edges"])
    data = await admin.query(read, id=thread_gid(message.thread_id))
    assert [e["node"]["review"] for e in data["thread"]["messages"]["edges"]] == [
        None,
        {"decision": "DISMISSED"},
    ]


async def test_suspend_seller_checks_days_reason_and_seller(
    seller: GraphQLClient, admin: GraphQLClient
) -> None:
    shop = await shop_gid(seller)
    before = await moderation_state()
    for days in (0, 366, -1):
        assert await admin.refused(SUSPEND, s=shop, days=days, reason="Retards") == [
            "INVALID_INPUT"
        ]
    assert await admin.refused(SUSPEND, s=shop, days=3, reason="   ") == ["INVALID_INPUT"]
    assert await admin.refused(SUSPEND, s=gid("Seller", 999_999), days=3, reason="x") == [
        "NOT_FOUND"
    ]
    assert await admin.refused(REINSTATE, s=shop) == ["INVALID_TRANSITION"]
    assert await moderation_state() == before
