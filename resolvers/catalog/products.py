"""Sellers write their own products and stock; every write goes through these functions.

The word index, the folded sort name and the price in cents are derived here, in the same
transaction as the product, so they can never disagree with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from tortoise.backends.base.client import BaseDBAsyncClient

from models.accounts import NEUTRAL_STANDING, Role, Seller
from models.catalog import DeliveryZone, Product, ProductAttribute, ProductWord
from realtime.log import atomic
from resolvers.actor import Actor, require_role
from resolvers.errors import DomainError, ErrorCode, Problems
from resolvers.free_text import clean_text
from resolvers.policy import Policy
from resolvers.pricing import CENT
from resolvers.search_text import fold, sort_key, words

MAX_PRICE = Decimal("9999999999.99")  # DecimalField(max_digits=12, decimal_places=2)
MAX_VAT_RATE = Decimal("99.99")  # DecimalField(max_digits=5, decimal_places=2), percent
MAX_INT = 2**31 - 1
MAX_ATTRIBUTES = 50
MAX_ZONES = 200
# Postal-code prefixes: digits, plus letters for Corsica ("2A") and foreign codes.
_ZONE = re.compile(r"[0-9A-Z]{1,10}")


@dataclass(frozen=True)
class ProductData:
    """Everything a seller states about a product; an update replaces all of it."""

    name: str
    description: str
    category: str
    price: Decimal
    stock: int
    delivery_zones: Sequence[str]
    brand: str | None = None
    attributes: Sequence[tuple[str, str]] = field(default_factory=tuple)
    minimum_quantity: int = 1
    lead_time_days: int | None = None
    warehouse: str | None = None
    # Percent included in the price; None: the market's default rate.
    vat_rate: Decimal | None = None


def vat_rate_of(rate: Decimal | None, *, policy: Policy) -> Decimal:
    """A product's (or order line's) VAT rate: its own, else COMPTOIR_DEFAULT_VAT_RATE."""
    return policy.default_vat_rate if rate is None else rate


@dataclass(frozen=True)
class Cleaned:
    columns: dict[str, object]
    attributes: list[tuple[str, str]]
    zones: list[str]


def _text(
    problems: Problems, value: str | None, name: str, limit: int, *, required: bool
) -> str | None:
    # A product's texts are one line each (a name, a brand): runs of spaces become one.
    one_line = None if value is None else " ".join(value.split())
    return clean_text(problems, one_line, name, required=required, limit=limit)


def _whole(problems: Problems, value: int | None, name: str, low: int) -> None:
    if value is not None and not low <= value <= MAX_INT:
        problems.invalid(f"Entre {low} et {MAX_INT}.", name)


def _check_price(problems: Problems, price: Decimal) -> None:
    if not price.is_finite() or price < 0 or price > MAX_PRICE:
        problems.invalid(f"Le prix va de 0,00 à {MAX_PRICE} €.", "price")
    elif price != price.quantize(CENT):
        problems.invalid("Le prix a au plus deux décimales (centimes).", "price")


def _check_vat_rate(problems: Problems, rate: Decimal | None) -> None:
    if rate is None:
        return
    if not rate.is_finite() or rate < 0 or rate > MAX_VAT_RATE:
        problems.invalid(f"Le taux de TVA va de 0,00 à {MAX_VAT_RATE} %.", "vatRate")
    elif rate != rate.quantize(CENT):
        problems.invalid("Le taux de TVA a au plus deux décimales.", "vatRate")


def _check_attributes(
    problems: Problems, pairs: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    if len(pairs) > MAX_ATTRIBUTES:
        problems.invalid(f"{MAX_ATTRIBUTES} caractéristiques au maximum.", "attributes")
    cleaned: list[tuple[str, str]] = []
    keys: set[str] = set()
    for raw_name, raw_value in pairs:
        name = _text(problems, raw_name, "attributes", 100, required=True)
        value = _text(problems, raw_value, "attributes", 200, required=True)
        if name is None or value is None:
            continue
        if fold(name) in keys:
            problems.invalid(f"La caractéristique « {name} » est donnée deux fois.", "attributes")
        keys.add(fold(name))
        cleaned.append((name, value))
    return cleaned


def _check_zones(problems: Problems, zones: Sequence[str]) -> list[str]:
    if len(zones) > MAX_ZONES:
        problems.invalid(f"{MAX_ZONES} zones de livraison au maximum.", "deliveryZones")
    cleaned: dict[str, None] = {}
    for zone in zones:
        prefix = zone.replace(" ", "").upper()
        if not _ZONE.fullmatch(prefix):
            problems.invalid(f"« {zone} » n'est pas un début de code postal.", "deliveryZones")
        cleaned.setdefault(prefix, None)
    return list(cleaned)


def clean(data: ProductData) -> Cleaned:
    """The product's columns, or INVALID_INPUT naming every faulty field at once."""
    with Problems() as problems:
        name = _text(problems, data.name, "name", 200, required=True)
        description = data.description.strip()
        if len(description) > 10_000:
            problems.invalid("10000 caractères au maximum.", "description")
        brand = _text(problems, data.brand, "brand", 200, required=False)
        # Categories are free text (sellers name their own shelves); only their length is checked.
        category = _text(problems, data.category, "category", 100, required=True)
        warehouse = _text(problems, data.warehouse, "warehouse", 200, required=False)
        _check_price(problems, data.price)
        _check_vat_rate(problems, data.vat_rate)
        _whole(problems, data.stock, "stock", 0)
        _whole(problems, data.minimum_quantity, "minimumQuantity", 1)
        _whole(problems, data.lead_time_days, "leadTimeDays", 0)
        attributes = _check_attributes(problems, data.attributes)
        zones = _check_zones(problems, data.delivery_zones)
    assert name is not None
    assert category is not None
    columns: dict[str, object] = {
        "name": name,
        "sort_name": sort_key(name),
        "description": description,
        "brand": brand,
        "category": category,
        "price": data.price,
        "price_cents": int(data.price * 100),
        "stock": data.stock,
        "minimum_quantity": data.minimum_quantity,
        "lead_time_days": data.lead_time_days,
        "warehouse": warehouse,
        "vat_rate": None if data.vat_rate is None else data.vat_rate.quantize(CENT),
    }
    return Cleaned(columns=columns, attributes=attributes, zones=zones)


def word_rows(product_id: int, seller_id: int, columns: dict[str, object]) -> list[list[object]]:
    """The product's `product_word` rows, one per distinct word of its name."""
    copied = [
        columns["sort_name"],
        columns["price_cents"],
        columns["category"],
        seller_id,
        columns["standing"],
    ]
    return [[product_id, word, *copied] for word in words(str(columns["name"]))]


WORD_COLUMNS = (
    "product_id",
    "word",
    "sort_name",
    "price_cents",
    "category",
    "seller_id",
    "standing",
)


async def seller_standing(seller_id: int) -> int:
    """The seller's standing, which its products copy for the RELEVANCE order."""
    seller = await Seller.get_or_none(id=seller_id).only("id", "standing")
    return seller.standing if seller is not None else NEUTRAL_STANDING


def standing_cleaned(data: ProductData, standing: int) -> Cleaned:
    cleaned = clean(data)
    cleaned.columns["standing"] = standing
    return cleaned


async def cleaned_for(seller_id: int, data: ProductData) -> Cleaned:
    """The validated columns, with the seller's standing."""
    return standing_cleaned(data, await seller_standing(seller_id))


async def write_dependants(
    conn: BaseDBAsyncClient, rows: Sequence[tuple[int, int, Cleaned]]
) -> None:
    """Insert the words, attributes and zones of (product_id, seller_id, cleaned) rows."""
    word_list: list[list[object]] = []
    attributes: list[list[object]] = []
    zones: list[list[object]] = []
    for product_id, seller_id, cleaned in rows:
        word_list += word_rows(product_id, seller_id, cleaned.columns)
        attributes += [[product_id, n, v, fold(n), fold(v)] for n, v in cleaned.attributes]
        zones += [[product_id, z] for z in cleaned.zones]
    await insert_rows(conn, "product_word", WORD_COLUMNS, word_list)
    await insert_rows(
        conn,
        "product_attribute",
        ("product_id", "name", "value", "name_key", "value_key"),
        attributes,
    )
    await insert_rows(conn, "delivery_zone", ("product_id", "prefix"), zones)


async def insert_rows(
    conn: BaseDBAsyncClient, table: str, columns: tuple[str, ...], rows: list[list[object]]
) -> None:
    if not rows:
        return
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    await conn.execute_many(for_dialect(sql, conn.capabilities.dialect), rows)


def for_dialect(sql: str, dialect: str) -> str:
    """`?` placeholders as the connection's driver wants them ($1, $2... for asyncpg)."""
    if dialect != "postgres":
        return sql
    pieces = sql.split("?")
    return "".join(p + (f"${i}" if i < len(pieces) else "") for i, p in enumerate(pieces, start=1))


def seller_of(actor: Actor) -> int:
    require_role(actor, Role.SELLER)
    if actor.seller_id is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Ce compte n'a pas de boutique.")
    return actor.seller_id


async def create_product(actor: Actor, *, data: ProductData) -> Product:
    """A seller lists a new product in their shop."""
    seller_id = seller_of(actor)
    cleaned = await cleaned_for(seller_id, data)
    async with atomic() as conn:
        product = await Product.create(using_db=conn, seller_id=seller_id, **cleaned.columns)
        await write_dependants(conn, [(product.id, seller_id, cleaned)])
    return product


async def _own_product(seller_id: int, product_id: int, field: str) -> Product:
    # Another shop's product answers exactly like a missing one.
    product = await Product.get_or_none(id=product_id, seller_id=seller_id)
    if product is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Ce produit n'est pas dans votre boutique.", field)
    return product


async def update_product(actor: Actor, *, product_id: int, data: ProductData) -> Product:
    """A seller replaces everything about one of their products."""
    seller_id = seller_of(actor)
    cleaned = await cleaned_for(seller_id, data)
    async with atomic() as conn:
        product = await _own_product(seller_id, product_id, "id")
        product.update_from_dict(cleaned.columns)
        await product.save()
        await ProductWord.filter(product_id=product.id).delete()
        await ProductAttribute.filter(product_id=product.id).delete()
        await DeliveryZone.filter(product_id=product.id).delete()
        await write_dependants(conn, [(product.id, seller_id, cleaned)])
    return product


async def set_stock(actor: Actor, *, product_id: int, quantity: int) -> Product:
    """A seller states how many units are available now."""
    seller_id = seller_of(actor)
    with Problems() as problems:
        _whole(problems, quantity, "quantity", 0)
    async with atomic():
        product = await _own_product(seller_id, product_id, "productId")
        product.stock = quantity
        await product.save(update_fields=["stock", "updated_at"])
    return product


async def withdraw_seller_products(*, seller_id: int) -> int:
    """Take a closed shop's products out of the catalog; returns how many went.

    Deleting the rows is the whole withdrawal: words, attributes, zones and buyers' cart lines
    go with them (CASCADE), while order lines, template lines and threads only lose the link
    (SET_NULL) and keep their snapshots, so old orders stay readable and a reorder reports the
    product UNAVAILABLE.  Called inside the account deletion's transaction, before its orders
    are settled: the product rows it locks keep a racing reservation from adding a new order.
    """
    async with atomic():
        return await Product.filter(seller_id=seller_id).delete()
