"""The demo data: accounts to log in with and a believable catalog, loaded once."""

from __future__ import annotations

from comptoir.demo import seed_demo
from models.accounts import Account, Role, Seller
from models.catalog import DeliveryZone, Product, ProductWord
from resolvers.actor import ANONYMOUS
from resolvers.catalog.conditions import ProductFilter
from resolvers.catalog.listing import ProductSort, list_products
from resolvers.pagination import PageRequest
from resolvers.passwords import verify_password
from resolvers.policy import Policy


async def test_the_demo_loads_confirmed_accounts_and_a_catalog_once(
    app: object, policy: Policy
) -> None:
    printed = await seed_demo(extra_products=300, policy=policy)
    emails = [email for email, _ in printed]
    assert {
        "acheteur@demo.comptoir.fr",
        "vendeur@demo.comptoir.fr",
        "admin@demo.comptoir.fr",
    } <= set(emails)
    buyer = await Account.get(email="acheteur@demo.comptoir.fr")
    assert buyer.role is Role.BUYER
    assert buyer.postal_code == "75011"
    assert buyer.email_confirmed_at is not None
    assert verify_password(buyer.password_hash, "comptoir-demo")
    assert (await Account.get(email="admin@demo.comptoir.fr")).role is Role.ADMIN
    assert await Seller.all().count() >= 3
    assert await Account.filter(company_id__not_isnull=True).exists()
    count = await Product.all().count()
    assert 330 <= count <= 360
    assert await ProductWord.all().count() > count
    assert await DeliveryZone.all().count() > count
    assert await seed_demo(extra_products=300, policy=policy) == []
    assert await Product.all().count() == count


async def test_the_demo_catalog_answers_searches_and_filters(app: object, policy: Policy) -> None:
    await seed_demo(policy=policy)
    page = await list_products(
        ANONYMOUS,
        search="beton",
        filters=ProductFilter(),
        sort=ProductSort.NAME_ASC,
        page=PageRequest.of(20, None),
    )
    names = [p.name for _, p in page.items]
    assert names
    assert all("beton" in n.lower().replace("é", "e") for n in names)
    page = await list_products(
        ANONYMOUS,
        search=None,
        filters=ProductFilter(attributes=[("Tension de sortie", "24 V")], deliverable_to="75011"),
        sort=ProductSort.PRICE_ASC,
        page=PageRequest.of(20, None),
    )
    prices = [p.price for _, p in page.items]
    assert len(prices) >= 3
    assert prices == sorted(prices)
