"""Demo data: accounts to log in with and a believable French catalog.

The catalog comes from the seeds' worlds: a building-materials marketplace (BatMat), a
refurbished-electronics shop (Backmarket) and a B2B distributor of industrial power supplies
(CATS / Mean Well).  `extra_products` adds generated variations for load tests.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from comptoir.demo.catalog import CATALOG, Line
from models.accounts import Account, Company, Role, Seller
from realtime.log import atomic
from resolvers.actor import Actor
from resolvers.catalog.bulk import import_products
from resolvers.catalog.products import ProductData
from resolvers.passwords import hash_password
from resolvers.policy import Policy

PASSWORD = "comptoir-demo"
BUYER = "acheteur@demo.comptoir.fr"
SELLER = "vendeur@demo.comptoir.fr"
ADMIN = "admin@demo.comptoir.fr"
COMPANY_BUYER = "achats@demo.comptoir.fr"

IDF = ["75", "77", "78", "91", "92", "93", "94", "95"]
RHONE_ALPES = ["01", "26", "38", "42", "69", "73", "74"]
FRANCE = [str(d) for d in range(10)]  # every postal code starts with one of these digits


@dataclass(frozen=True)
class Shop:
    email: str
    name: str
    first_name: str
    last_name: str
    warehouse: str
    zones: list[str]


SHOPS = [
    Shop(SELLER, "BatiPro Île-de-France", "Karim", "Benali", "Dépôt de Gennevilliers", IDF),
    Shop(
        "matériaux.rhone@demo.comptoir.fr",
        "Négoce Rhône Matériaux",
        "Sophie",
        "Garnier",
        "Dépôt de Vénissieux",
        RHONE_ALPES,
    ),
    Shop(
        "reconditionne@demo.comptoir.fr",
        "ReNouveau Électronique",
        "Lucas",
        "Moreau",
        "Atelier de Bordeaux",
        FRANCE,
    ),
    Shop(
        "alimentations@demo.comptoir.fr",
        "Alim'Industrie",
        "Nathalie",
        "Roux",
        "Entrepôt de Strasbourg",
        FRANCE,
    ),
]

_VARIANTS = [
    "lot de 2",
    "lot de 5",
    "lot de 10",
    "palette",
    "version pro",
    "édition 2024",
    "garantie 2 ans",
    "livraison express",
    "coloris anthracite",
    "coloris sable",
    "modèle compact",
    "modèle renforcé",
    "pack chantier",
    "kit complet",
]


def _description(name: str, brand: str | None) -> str:
    by = f" de la marque {brand}" if brand else ""
    return (
        f"{name}{by}. Expédié depuis notre dépôt ; disponibilité et délai affichés "
        "en temps réel. Facture avec TVA."
    )


def _item(line: Line, rng: random.Random, *, variant: int = 0) -> tuple[int, ProductData]:
    shop_index, name, category, brand, price, attributes = line
    shop = SHOPS[shop_index]
    base = Decimal(price)
    if variant:
        name = f"{name} - {_VARIANTS[variant % len(_VARIANTS)]}"
        base = (base * Decimal(rng.uniform(0.8, 1.3))).quantize(Decimal("0.01"))
    stock = rng.choice([0, 0, 3, 12, 40, 150, 600])
    return shop_index, ProductData(
        name=name,
        description=_description(name, brand),
        brand=brand,
        category=category,
        attributes=list(attributes.items()),
        price=base,
        stock=stock,
        minimum_quantity=rng.choice([1, 1, 1, 2, 5, 10]) if shop_index != 2 else 1,
        lead_time_days=None if stock else rng.choice([3, 5, 10, 15]),
        warehouse=shop.warehouse,
        delivery_zones=shop.zones,
    )


def _generated(count: int, rng: random.Random) -> Iterator[tuple[int, ProductData]]:
    for n in range(1, count + 1):
        yield _item(CATALOG[rng.randrange(len(CATALOG))], rng, variant=n)


async def _account(
    email: str,
    role: Role,
    first: str,
    last: str,
    password_hash: str,
    *,
    postal_code: str | None = None,
    company: Company | None = None,
    rights: list[str] | None = None,
) -> Account:
    return await Account.create(
        email=email,
        password_hash=password_hash,
        first_name=first,
        last_name=last,
        role=role,
        postal_code=postal_code,
        company=company,
        rights=rights or [],
        email_confirmed_at=datetime.now(UTC),
    )


async def seed_demo(*, policy: Policy, extra_products: int = 0) -> list[tuple[str, str]]:
    """Load the demo accounts and catalog unless they are there; the accounts to print."""
    if await Account.filter(email=BUYER).exists():
        return []
    rng = random.Random(2024)
    password_hash = hash_password(PASSWORD, policy=policy)
    async with atomic():
        await _account(BUYER, Role.BUYER, "Julie", "Lefèvre", password_hash, postal_code="75011")
        await _account(ADMIN, Role.ADMIN, "Équipe", "Comptoir", password_hash)
        company = await Company.create(
            name="Durand Bâtiment SARL",
            vat_number="FR40303265045",
            country="FR",
            line1="12 rue des Artisans",
            postal_code="69003",
            city="Lyon",
        )
        await _account(
            COMPANY_BUYER,
            Role.BUYER,
            "Paul",
            "Durand",
            password_hash,
            postal_code="69003",
            company=company,
            rights=["PLACE_ORDERS", "SEE_INVOICES", "SEE_COMPANY_ORDERS", "MANAGE_COLLEAGUES"],
        )
        actors = []
        for shop in SHOPS:
            account = await _account(
                shop.email, Role.SELLER, shop.first_name, shop.last_name, password_hash
            )
            row = await Seller.create(account=account, name=shop.name)
            actors.append(Actor(account_id=account.id, role=Role.SELLER, seller_id=row.id))
        per_shop: list[list[ProductData]] = [[] for _ in SHOPS]
        for line in CATALOG:
            shop_index, data = _item(line, rng)
            per_shop[shop_index].append(data)
        for shop_index, data in _generated(extra_products, rng):
            per_shop[shop_index].append(data)
        for actor, items in zip(actors, per_shop, strict=True):
            await import_products(actor, items=items)
    return [(email, PASSWORD) for email in (BUYER, SELLER, ADMIN, COMPANY_BUYER)]
