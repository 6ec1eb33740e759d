"""A seller's rating (seed 004): "des réponses régulières, ponctuelles et fiables" make it.

rating = 5 x (obligations met on time) / (obligations judged), over the last 90 days,
rounded to one decimal; null while nothing has been judged.  An obligation is a buyer message
(met: answered within the SLA; judged once answered or once its deadline has passed;
answering a claim is answering its thread's first message) and a received return (met:
refunded or resolved by its `refundDueBy`; judged once settled or past it).  A message still
inside its deadline is not judged: a seller is not punished for a message received a minute
ago.

The rating is stored on the seller (reading it costs nothing) and recomputed when an input
changes: a seller reply, a deadline passing (the alert job's OVERDUE), and once a day for the
window sliding past old messages.  Its sort key `standing` orders RELEVANCE searches; the
products' copies follow it through `propagate_standing`, in batches.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from tortoise.expressions import F, Q

from models.accounts import NEUTRAL_STANDING, Seller
from models.catalog import Product, ProductWord
from realtime.log import atomic
from resolvers.clock import utc_now
from resolvers.helpdesk.sla import response_tallies

# Per seller id: (obligations met on time, obligations judged), sellers without any left out.
Tallies = dict[int, tuple[int, int]]
RatingInput = Callable[..., Awaitable[Tallies]]


def rating_inputs() -> tuple[RatingInput, ...]:
    """Each input is called as `input(seller_ids, now=now)`: buyer messages answered within
    the SLA (answering a claim is one of them), and refunds made by their due date."""
    # Imported here: claims depend on the helpdesk, whose seller replies refresh ratings.
    from resolvers.claims.deadlines import refund_tallies

    return (response_tallies, refund_tallies)


REFRESH_AFTER = timedelta(days=1)
BATCH = 100
PRODUCT_BATCH = 1_000


def rating_of(met: int, judged: int) -> float | None:
    return round(5 * met / judged, 1) if judged else None


def standing_of(rating: float | None) -> int:
    """The sort key of a rating: 0 for 5.0, 50 for 0.0; a seller without history sits in
    the middle (2.5), above sellers who keep fewer than half of their deadlines."""
    return NEUTRAL_STANDING if rating is None else round((5 - rating) * 10)


async def refresh_ratings(seller_ids: Sequence[int], *, now: datetime | None = None) -> None:
    """Recompute and store these sellers' ratings (a few grouped queries for all of them)."""
    now = utc_now(now)
    ids = list(dict.fromkeys(seller_ids))
    totals: dict[int, list[int]] = {s: [0, 0] for s in ids}
    for tallies in [await source(ids, now=now) for source in rating_inputs()]:
        for seller_id, (met, judged) in tallies.items():
            totals[seller_id][0] += met
            totals[seller_id][1] += judged
    for seller_id, (met, judged) in totals.items():
        rating = rating_of(met, judged)
        await Seller.filter(id=seller_id).update(
            rating=rating, rated_at=now, standing=standing_of(rating)
        )


async def refresh_stale_ratings(*, now: datetime | None = None, batch: int = BATCH) -> int:
    """The daily pass: every rating not recomputed for a day (old messages leave the window),
    `batch` sellers per read, so a backlog clears in one call; returns how many."""
    now = utc_now(now)
    stale = Seller.filter(Q(rated_at__isnull=True) | Q(rated_at__lt=now - REFRESH_AFTER))
    refreshed = after = 0
    while ids := [
        s.id for s in await stale.filter(id__gt=after).order_by("id").limit(batch).only("id")
    ]:
        await refresh_ratings(ids, now=now)
        refreshed += len(ids)
        after = ids[-1]
    return refreshed


async def propagate_standing(*, batch: int = BATCH) -> int:
    """Copy every changed standing onto the sellers' products and words, `batch` sellers per
    read (a backlog clears in one call) and a batch of products per transaction; returns how
    many products moved.  A product and its words always move together, so a search's order
    and its cursors agree."""
    moved = after = 0
    changed = Seller.filter(standing__not=F("listed_standing"))
    while sellers := await changed.filter(id__gt=after).order_by("id").limit(batch):
        after = sellers[-1].id
        for seller in sellers:
            moved += await _propagate(seller)
    return moved


async def _propagate(seller: Seller) -> int:
    """One seller's products and words, `PRODUCT_BATCH` per transaction."""
    moved = 0
    target, last = seller.standing, 0
    while True:
        ids = [
            p.id
            for p in await Product.filter(seller_id=seller.id, id__gt=last)
            .order_by("id")
            .limit(PRODUCT_BATCH)
            .only("id")
        ]
        if not ids:
            break
        async with atomic():
            await Product.filter(id__in=ids).update(standing=target)
            await ProductWord.filter(product_id__in=ids).update(standing=target)
        moved += len(ids)
        last = ids[-1]
    # Conditional: a rating that changed meanwhile leaves the seller for the next pass.
    await Seller.filter(id=seller.id, standing=target).update(listed_standing=target)
    return moved
