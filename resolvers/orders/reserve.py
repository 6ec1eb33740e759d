""" "Réserver maintenant": the cart becomes one order per seller, stock reserved atomically."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from tortoise.expressions import F

from models.accounts import CompanyRight, Role
from models.catalog import Product
from models.orders import (
    Cart,
    CartLine,
    IdempotencyKey,
    Order,
    OrderLine,
    OrderStatus,
)
from resolvers.actor import Actor, require_role
from resolvers.buying import check_deliverable, check_minimum
from resolvers.cart import cart_lines
from resolvers.catalog import zones_of
from resolvers.countries import iso_country
from resolvers.errors import DomainError, ErrorCode, Problems
from resolvers.free_text import MAX_REMARK, clean_text
from resolvers.idempotency import digest, once, reused
from resolvers.lifecycle import parties_of
from resolvers.numbering import assign_number, provisional_number
from resolvers.orders.flow import record_transition
from resolvers.policy import Policy
from resolvers.pricing import by_seller, line_total, money, seller_amounts
from resolvers.standing.suspension import suspended_among


@dataclass(frozen=True)
class Address:
    line1: str
    postal_code: str
    city: str
    country: str
    line2: str | None = None


def _clean_address(problems: Problems, address: Address) -> Address:
    prefix = "deliveryAddress."
    country = iso_country(address.country or "")
    if country is None:
        problems.invalid("Pays : code ISO 3166-1 à deux lettres (FR).", prefix + "country")
    postal_code = clean_text(
        problems, address.postal_code, prefix + "postalCode", required=True, limit=16
    )
    return Address(
        line1=clean_text(problems, address.line1, prefix + "line1", required=True) or "",
        line2=clean_text(problems, address.line2, prefix + "line2", required=False),
        postal_code=(postal_code or "").replace(" ", ""),
        city=clean_text(problems, address.city, prefix + "city", required=True) or "",
        country=country or "",
    )


def clean_order_request(
    problems: Problems, address: Address, remark: str | None, idempotency_key: str
) -> tuple[Address, str | None, str]:
    """The address, remark and key of a reservation, cleaned."""
    return (
        _clean_address(problems, address),
        clean_text(problems, remark, "remark", required=False, limit=MAX_REMARK),
        clean_text(problems, idempotency_key, "idempotencyKey", required=True) or "",
    )


def _cart_hash(lines: Sequence[CartLine]) -> str:
    return digest(sorted([line.product_id, line.quantity] for line in lines))


@dataclass(frozen=True)
class Item:
    """A line to order: the product, how many, and the unit price it is ordered at."""

    product: Product
    quantity: int
    unit_price: Decimal

    @property
    def product_id(self) -> int:
        return self.product.id


# `place(key_row, now)` does the work of a keyed request inside its transaction and returns
# the orders it made; a `Check` says whether a remembered key row is this same request.
Place = Callable[[IdempotencyKey, datetime], Awaitable[list[Order]]]
Check = Callable[[IdempotencyKey], Awaitable[bool]]


def require_place_orders(actor: Actor) -> int:
    """The calling buyer's id, if they may place orders (company members need the right)."""
    buyer_id = require_role(actor, Role.BUYER)
    if not actor.has_right(CompanyRight.PLACE_ORDERS):
        raise DomainError(
            ErrorCode.RIGHT_MISSING, "Votre compte société n'a pas le droit de passer commande."
        )
    return buyer_id


async def reserve_cart(
    actor: Actor,
    *,
    address: Address,
    remark: str | None,
    idempotency_key: str,
    policy: Policy,
    now: datetime | None = None,
) -> list[Order]:
    """Turn the caller's cart into one PENDING order per seller, reserving the stock.

    All or nothing: if any line cannot be reserved nothing is, and each such line is named.
    The idempotency key belongs to the buyer: the same key again returns the same orders.
    """
    buyer_id = require_place_orders(actor)
    with Problems() as problems:
        address, remark, key = clean_order_request(problems, address, remark, idempotency_key)

    async def same_cart(row: IdempotencyKey) -> bool:
        # After the first success the cart is empty: an empty cart is a plain retry.
        lines = await cart_lines(buyer_id)
        return not lines or _cart_hash(lines) == row.cart_hash

    async def place(key_row: IdempotencyKey, now: datetime) -> list[Order]:
        # Touching the cart row locks it: cart edits wait until the reservation is decided.
        await Cart.filter(buyer_id=buyer_id).update(changed_at=now)
        lines = await cart_lines(buyer_id)
        if not lines:
            raise DomainError(ErrorCode.CART_EMPTY, "Le panier est vide.")
        # Emptied first: the orders' events then come last (a failure rolls all of it back).
        await CartLine.filter(id__in=[line.id for line in lines]).delete()
        placed = await place_orders(
            actor,
            buyer_id,
            [Item(line.product, line.quantity, money(line.product.price)) for line in lines],
            address=address,
            remark=remark,
            policy=policy,
            now=now,
        )
        await settle_key(key_row, placed, content_hash=_cart_hash(lines))
        return placed

    return await once_per_key(
        buyer_id,
        key,
        request_hash=digest(
            [
                address.line1,
                address.line2,
                address.postal_code,
                address.city,
                address.country,
                remark,
            ]
        ),
        hours=policy.idempotency_hours,
        place=place,
        same_content=same_cart,
        now=now,
    )


async def once_per_key(
    buyer_id: int,
    key: str,
    *,
    request_hash: str,
    hours: float,
    place: Place,
    same_content: Check | None = None,
    now: datetime | None = None,
) -> list[Order]:
    """Run `place` once per (buyer, key) within `hours`: the same request again returns the
    same orders; another request with the key is IDEMPOTENCY_KEY_REUSED. Reservations and
    quote acceptances share the buyer's keys (both place orders)."""
    now_ = now or datetime.now(UTC)

    async def replay(row: IdempotencyKey) -> list[Order]:
        if same_content is not None and not await same_content(row):
            raise reused()
        return list(await Order.filter(id__in=row.result_ids).order_by("id"))

    async def perform(row: IdempotencyKey) -> list[Order]:
        return await place(row, now_)

    return await once(
        account_id=buyer_id,
        scope="orders",
        key=key,
        request_hash=request_hash,
        hours=hours,
        now=now_,
        replay=replay,
        perform=perform,
    )


async def settle_key(
    key_row: IdempotencyKey, placed: Sequence[Order], *, content_hash: str = ""
) -> None:
    """Remember on the key what its request made, for the replays."""
    key_row.cart_hash = content_hash
    key_row.result_ids = [order.id for order in placed]
    await key_row.save(update_fields=["cart_hash", "result_ids"])


async def place_orders(
    actor: Actor,
    buyer_id: int,
    items: Sequence[Item],
    *,
    address: Address,
    remark: str | None,
    policy: Policy,
    now: datetime,
) -> list[Order]:
    """Reserve the items' stock and create one PENDING order per seller with its first history
    row, mails and event, inside the caller's transaction."""
    await _take_stock(items, address.postal_code)
    parts = by_seller(items)
    orders = [
        await _create_order(actor, buyer_id, seller_id, group, address, remark, now, policy=policy)
        for seller_id, group in parts.items()
    ]
    await OrderLine.bulk_create(
        [
            OrderLine(
                order_id=order.id,
                product_id=item.product_id,
                product_ref=item.product_id,
                product_name=item.product.name,
                unit_price=item.unit_price,
                vat_rate=item.product.vat_rate,
                quantity=item.quantity,
            )
            for order, group in zip(orders, parts.values(), strict=True)
            for item in group
        ]
    )
    parties = await parties_of(buyer_id, list(parts))
    for order in orders:
        await record_transition(
            order,
            from_status=None,
            role=Role.BUYER,
            actor_account_id=actor.account_id,
            parties=parties[order.seller_id],
            policy=policy,
        )
    return orders


async def _take_stock(lines: Sequence[Item], postal_code: str) -> None:
    """Lower each product's stock if enough is left, or refuse naming every line that fails.

    Each decrement is one conditional UPDATE (`stock >= q`): the database decides, so two
    buyers racing for the last unit never both get it.  Rows are touched in product-id order
    so concurrent reservations lock them in the same order (no deadlock on PostgreSQL).
    """
    zones = dict(
        zip(
            [line.product_id for line in lines],
            await zones_of([line.product_id for line in lines]),
            strict=True,
        )
    )
    position = {line.product_id: index for index, line in enumerate(lines)}
    suspended = await suspended_among(line.product.seller_id for line in lines)
    with Problems() as problems:
        for line in sorted(lines, key=lambda line: line.product_id):
            product, field = line.product, f"lines.{position[line.product_id]}"
            if product.seller_id in suspended:
                problems.add(
                    ErrorCode.SELLER_SUSPENDED,
                    f"« {product.name} » : ce vendeur est suspendu.",
                    field,
                )
                continue
            check_deliverable(problems, product, zones[product.id], postal_code, field)
            if not problems.about(field):
                check_minimum(problems, product, line.quantity, field)
            if problems.about(field):
                continue
            taken = await Product.filter(id=product.id, stock__gte=line.quantity).update(
                stock=F("stock") - line.quantity
            )
            if not taken:
                left = await Product.filter(id=product.id).values_list("stock", flat=True)
                problems.add(
                    ErrorCode.OUT_OF_STOCK,
                    f"« {product.name} » : {left[0] if left else 0} disponible(s), "
                    f"{line.quantity} demandé(s).",
                    field,
                )
        # Lines were checked in lock order; the refusal names them in the cart's order.
        problems.sort(key=lambda p: int((p.field or "lines.0").split(".")[1]))


async def _create_order(
    actor: Actor,
    buyer_id: int,
    seller_id: int,
    items: Sequence[Item],
    address: Address,
    remark: str | None,
    now: datetime,
    *,
    policy: Policy,
) -> Order:
    subtotal, fee, total = seller_amounts(
        (line_total(item.unit_price, item.quantity) for item in items),
        policy=policy,
    )
    order = await Order.create(
        number=provisional_number(),
        status=OrderStatus.PENDING,
        buyer_id=buyer_id,
        company_id=actor.company_id,
        seller_id=seller_id,
        subtotal=subtotal,
        small_order_fee=fee,
        total=total,
        address_line1=address.line1,
        address_line2=address.line2,
        address_postal_code=address.postal_code,
        address_city=address.city,
        address_country=address.country,
        remark=remark,
        created_at=now,
        updated_at=now,
    )
    await assign_number(order, "CMD", now)
    return order
