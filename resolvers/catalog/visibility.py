"""What each viewer may see of the catalog: one product, a comparison, and the condition
every listing adds.  A suspended seller's products are shown to itself and admins only.
Also the one refusal of a mutation naming a product that does not exist."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models.catalog import Product
from resolvers.actor import Actor
from resolvers.clock import utc_now
from resolvers.errors import DomainError, ErrorCode, QueryError
from resolvers.standing.suspension import sees_suspended, suspended_among

MAX_COMPARED = 3


@dataclass(frozen=True)
class Visibility:
    """What a listing leaves out for one viewer: the products of sellers suspended at `now`,
    except the viewer's own shop (admins see everything and get no Visibility)."""

    now: datetime
    own_seller_id: int | None = None

    def condition(self, column: str) -> tuple[str, ...]:
        """`column` (a seller id) not among the sellers suspended now: one uncorrelated
        look-up of a usually empty set, by the index on `suspended_until`."""
        own = ""
        params: list[Any] = [self.now]
        if self.own_seller_id is not None:
            own = " AND sus.id <> ?"
            params.append(self.own_seller_id)
        sql = f"{column} NOT IN (SELECT sus.id FROM seller sus WHERE sus.suspended_until > ?{own})"
        return (sql, *params)


def visibility_for(actor: Actor, *, now: datetime | None = None) -> Visibility | None:
    return None if actor.is_admin else Visibility(now=utc_now(now), own_seller_id=actor.seller_id)


async def _shown(actor: Actor, products: list[Product]) -> list[Product]:
    """The products whose seller is not suspended, or that the viewer may still see."""
    hidden = await suspended_among(
        p.seller_id for p in products if not sees_suspended(actor, p.seller_id)
    )
    return [p for p in products if p.seller_id not in hidden]


async def get_product(actor: Actor, *, product_id: int) -> Product | None:
    """A product, for anyone browsing (a suspended seller's: only itself and admins)."""
    product = await Product.get_or_none(id=product_id)
    if product is None:
        return None
    return next(iter(await _shown(actor, [product])), None)


async def product_or_not_found(product_id: int) -> Product:
    """For mutations (cart, quote list, a question to its seller): the product, or NOT_FOUND.
    A suspended seller's is found: buying from it is refused by its own code."""
    product = await Product.get_or_none(id=product_id)
    if product is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Produit introuvable.", "productId")
    return product


async def compare_products(actor: Actor, *, product_ids: Sequence[int | None]) -> list[Product]:
    """Up to three products side by side, in the order asked; unknown ids are left out.

    None stands for an id that names no product (it still counts toward the limit).
    """
    if len(product_ids) > MAX_COMPARED:
        raise QueryError(
            ErrorCode.TOO_MANY_ITEMS, f"{MAX_COMPARED} produits au plus peuvent être comparés"
        )
    wanted = dict.fromkeys(pid for pid in product_ids if pid is not None)
    rows = list(await Product.filter(id__in=list(wanted)))
    found = {p.id: p for p in await _shown(actor, rows)}
    return [found[pid] for pid in wanted if pid in found]
