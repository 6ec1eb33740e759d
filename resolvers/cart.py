"""The buyer's cart: lines, per-seller subtotals with the small-order fee, expiry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from tortoise.queryset import QuerySet

from models.accounts import Account, Company, Role, Seller
from models.catalog import Product
from models.orders import Cart, CartLine
from realtime.log import atomic
from resolvers.actor import Actor, require_role
from resolvers.buying import check_deliverable, check_minimum, ships_to
from resolvers.catalog import zones_of
from resolvers.catalog.visibility import product_or_not_found
from resolvers.errors import ErrorCode, Problems
from resolvers.policy import Policy
from resolvers.pricing import by_seller, line_total, money, seller_amounts
from resolvers.standing.suspension import refuse_if_suspended, suspended_among


@dataclass(frozen=True)
class CartLineView:
    product: Product
    quantity: int
    line_total: Decimal


@dataclass(frozen=True)
class SellerSubtotal:
    seller: Seller
    subtotal: Decimal
    small_order_fee: Decimal
    total: Decimal


@dataclass(frozen=True)
class CartView:
    lines: list[CartLineView]
    subtotals: list[SellerSubtotal]
    total: Decimal
    expires_at: datetime | None


class ChangeKind(StrEnum):
    PRICE_CHANGED = "PRICE_CHANGED"
    QUANTITY_REDUCED = "QUANTITY_REDUCED"
    MINIMUM_RAISED = "MINIMUM_RAISED"
    UNAVAILABLE = "UNAVAILABLE"


@dataclass(frozen=True)
class WantedLine:
    """A line to put back in the cart (from an order or a template), as it was then."""

    product_id: int
    product_name: str
    unit_price: Decimal
    quantity: int


@dataclass(frozen=True)
class LineChange:
    """What differs from the remembered line: `before`/`after` are money or integer strings."""

    product_id: int
    product_name: str
    kind: ChangeKind
    before: str | None = None
    after: str | None = None


def _require_buyer(actor: Actor) -> int:
    return require_role(actor, Role.BUYER)


async def buyer_postal_code(buyer_id: int) -> str | None:
    """Where the buyer's goods go: their own postal code, else their company's."""
    account = await Account.get(id=buyer_id)
    if account.postal_code:
        return account.postal_code
    if account.company_id is not None:
        company = await Company.get_or_none(id=account.company_id)
        return company.postal_code if company is not None else None
    return None


async def cart_view(buyer_id: int, *, policy: Policy) -> CartView:
    """The cart with current prices; reading it does not count as a change."""
    cart = await Cart.get_or_none(buyer_id=buyer_id)
    if cart is None:
        return CartView(lines=[], subtotals=[], total=money(Decimal(0)), expires_at=None)
    rows = await CartLine.filter(cart_id=cart.id).select_related("product__seller").order_by("id")
    lines = [
        CartLineView(
            product=r.product,
            quantity=r.quantity,
            line_total=line_total(r.product.price, r.quantity),
        )
        for r in rows
    ]
    subtotals = []
    for group in by_seller(lines).values():
        subtotal, fee, total = seller_amounts((line.line_total for line in group), policy=policy)
        subtotals.append(
            SellerSubtotal(
                seller=group[0].product.seller, subtotal=subtotal, small_order_fee=fee, total=total
            )
        )
    expires_at = emptied_at(cart.changed_at, policy) if lines else None
    return CartView(
        lines=lines,
        subtotals=subtotals,
        total=money(sum((s.total for s in subtotals), Decimal(0))),
        expires_at=expires_at,
    )


async def get_cart(actor: Actor, *, policy: Policy) -> CartView:
    """The caller's cart (buyers only)."""
    return await cart_view(_require_buyer(actor), policy=policy)


def _check_quantity_input(quantity: int, *, allow_zero: bool = False) -> None:
    # No upper bound here: anything above the stock is OUT_OF_STOCK, as the contract says.
    lowest = 0 if allow_zero else 1
    with Problems() as problems:
        if quantity < lowest:
            problems.invalid(f"La quantité doit être au moins {lowest}.", "quantity")


async def _product_for(buyer_id: int, product_id: int) -> Product:
    product = await product_or_not_found(product_id)
    await refuse_if_suspended([product.seller_id])
    (prefixes,) = await zones_of([product.id])
    postal_code = await buyer_postal_code(buyer_id)
    with Problems() as problems:
        check_deliverable(problems, product, prefixes, postal_code, "productId")
    return product


def _check_against_product(product: Product, quantity: int) -> None:
    with Problems() as problems:
        check_minimum(problems, product, quantity, "quantity")
        if not problems.about("quantity") and quantity > product.stock:
            problems.add(
                ErrorCode.OUT_OF_STOCK,
                f"« {product.name} » : {product.stock} disponible(s).",
                "quantity",
            )


async def _touched_cart(buyer_id: int, now: datetime) -> Cart:
    """The buyer's cart, created if needed, marked as changed now (inside a transaction)."""
    cart, created = await Cart.get_or_create(buyer_id=buyer_id, defaults={"changed_at": now})
    if not created:
        await Cart.filter(id=cart.id).update(changed_at=now)
    return cart


async def _set_line(cart: Cart, product: Product, quantity: int) -> None:
    updated = await CartLine.filter(cart_id=cart.id, product_id=product.id).update(
        quantity=quantity
    )
    if not updated:
        await CartLine.create(cart_id=cart.id, product_id=product.id, quantity=quantity)


async def add_to_cart(actor: Actor, *, product_id: int, quantity: int, policy: Policy) -> CartView:
    """Add `quantity` to the product's line; the resulting line must respect minimum and stock."""
    buyer_id = _require_buyer(actor)
    _check_quantity_input(quantity)
    now = datetime.now(UTC)
    async with atomic():
        product = await _product_for(buyer_id, product_id)
        cart = await _touched_cart(buyer_id, now)
        current = await CartLine.get_or_none(cart_id=cart.id, product_id=product_id)
        wanted = quantity + (current.quantity if current is not None else 0)
        _check_against_product(product, wanted)
        await _set_line(cart, product, wanted)
    return await cart_view(buyer_id, policy=policy)


async def set_cart_quantity(
    actor: Actor, *, product_id: int, quantity: int, policy: Policy
) -> CartView:
    """Set the line's quantity; 0 removes it."""
    buyer_id = _require_buyer(actor)
    _check_quantity_input(quantity, allow_zero=True)
    if quantity == 0:
        return await remove_from_cart(actor, product_id=product_id, policy=policy)
    now = datetime.now(UTC)
    async with atomic():
        product = await _product_for(buyer_id, product_id)
        _check_against_product(product, quantity)
        await _set_line(await _touched_cart(buyer_id, now), product, quantity)
    return await cart_view(buyer_id, policy=policy)


async def remove_from_cart(actor: Actor, *, product_id: int, policy: Policy) -> CartView:
    """Remove the product's line; a product that is not in the cart leaves it as it is."""
    buyer_id = _require_buyer(actor)
    await product_or_not_found(product_id)
    await _delete_lines(buyer_id, product_id=product_id)
    return await cart_view(buyer_id, policy=policy)


async def empty_cart(actor: Actor, *, policy: Policy) -> CartView:
    buyer_id = _require_buyer(actor)
    await _delete_lines(buyer_id)
    return await cart_view(buyer_id, policy=policy)


async def _delete_lines(buyer_id: int, **only: int) -> None:
    """Delete the buyer's lines (all, or those matching `only`); deleting one is a change."""
    async with atomic():
        cart = await Cart.get_or_none(buyer_id=buyer_id)
        if cart is not None and await CartLine.filter(cart_id=cart.id, **only).delete():
            await Cart.filter(id=cart.id).update(changed_at=datetime.now(UTC))


async def cart_lines(buyer_id: int) -> list[CartLine]:
    """The cart's lines with their products, in the order the cart shows them."""
    return list(
        await CartLine.filter(cart__buyer_id=buyer_id).select_related("product").order_by("id")
    )


async def put_lines_in_cart(buyer_id: int, wanted: Sequence[WantedLine]) -> list[LineChange]:
    """Add remembered lines to the cart, adjusted to today's catalog; report each difference.

    A line is never silently dropped: a product gone, out of stock, no longer deliverable or
    sold by a suspended seller is reported UNAVAILABLE.
    """
    changes: list[LineChange] = []
    kept: list[tuple[Product, int]] = []
    async with atomic():
        postal_code = await buyer_postal_code(buyer_id)
        ids = [w.product_id for w in wanted]
        products = {p.id: p for p in await Product.filter(id__in=ids)}
        zones = dict(zip(ids, await zones_of(ids), strict=True))
        in_cart = {line.product_id: line.quantity for line in await cart_lines(buyer_id)}
        suspended = await suspended_among(p.seller_id for p in products.values())
        for w in wanted:
            product = products.get(w.product_id)
            if (
                product is None
                or product.seller_id in suspended
                or not ships_to(zones[product.id], postal_code)
            ):
                changes.append(LineChange(w.product_id, w.product_name, ChangeKind.UNAVAILABLE))
                continue
            already = in_cart.get(product.id, 0)
            add = max(w.quantity, product.minimum_quantity - already)
            available = product.stock - already
            if available <= 0 or already + available < product.minimum_quantity:
                changes.append(LineChange(product.id, product.name, ChangeKind.UNAVAILABLE))
                continue
            if add > available:
                changes.append(
                    LineChange(
                        product.id,
                        product.name,
                        ChangeKind.QUANTITY_REDUCED,
                        str(w.quantity),
                        str(available),
                    )
                )
                add = available
            elif add > w.quantity:
                changes.append(
                    LineChange(
                        product.id,
                        product.name,
                        ChangeKind.MINIMUM_RAISED,
                        str(w.quantity),
                        str(add),
                    )
                )
            if money(product.price) != money(w.unit_price):
                changes.append(
                    LineChange(
                        product.id,
                        product.name,
                        ChangeKind.PRICE_CHANGED,
                        str(money(w.unit_price)),
                        str(money(product.price)),
                    )
                )
            in_cart[product.id] = already + add
            kept.append((product, already + add))
        # Nothing added is no change: the cart keeps its expiry.
        if kept:
            cart = await _touched_cart(buyer_id, datetime.now(UTC))
            for product, quantity in kept:
                await _set_line(cart, product, quantity)
    return changes


def emptied_at(changed_at: datetime, policy: Policy) -> datetime:
    """When a cart with lines, unchanged since `changed_at`, is emptied."""
    return changed_at + timedelta(days=policy.cart_days)


def _filled() -> QuerySet[Cart]:
    """The carts with at least one line: an empty cart has nothing to expire."""
    return Cart.filter(lines__id__isnull=False).distinct()


async def empty_stale_carts(
    *, policy: Policy, now: datetime | None = None, batch: int = 200
) -> int:
    """Empty every cart unchanged for `cart_days`; returns how many were emptied.

    Each cart is claimed with a conditional update on its change time, so a buyer adding a
    line meanwhile keeps the cart, and two job runners never both empty it.
    """
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=policy.cart_days)
    stale = _filled().filter(changed_at__lte=cutoff)
    emptied, after = 0, 0
    while page := await stale.filter(id__gt=after).order_by("id").limit(batch):
        after = page[-1].id
        for cart_id in (cart.id for cart in page):
            async with atomic():
                if await Cart.filter(id=cart_id, changed_at__lte=cutoff).update(changed_at=now):
                    await CartLine.filter(cart_id=cart_id).delete()
                    emptied += 1
    return emptied


async def next_cart_emptying(*, policy: Policy) -> datetime | None:
    """When the job has a cart to empty next (None: every cart is empty): the least recently
    changed cart's turn (the `cart_by_change` index)."""
    changed = await _filled().order_by("changed_at").first().values_list("changed_at", flat=True)
    return emptied_at(changed, policy) if isinstance(changed, datetime) else None
