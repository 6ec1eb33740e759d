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

from models.accounts import Account, Company, Role, Seller
from realtime.log import atomic
from resolvers.actor import Actor
from resolvers.catalog.bulk import import_products
from resolvers.catalog.products import ProductData
from resolvers.passwords import hash_password

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
    Shop("matériaux.rhone@demo.comptoir.fr", "Négoce Rhône Matériaux", "Sophie", "Garnier",
         "Dépôt de Vénissieux", RHONE_ALPES),
    Shop("reconditionne@demo.comptoir.fr", "ReNouveau Électronique", "Lucas", "Moreau",
         "Atelier de Bordeaux", FRANCE),
    Shop("alimentations@demo.comptoir.fr", "Alim'Industrie", "Nathalie", "Roux",
         "Entrepôt de Strasbourg", FRANCE),
]

# (name, category, brand, price, attributes); the shop index picks the seller.
Line = tuple[int, str, str, str | None, str, dict[str, str]]
CATALOG: list[Line] = [
    (0, "Ciment gris CEM II 32,5 R - sac 35 kg", "Gros œuvre", "Lafarge", "9.90",
     {"Poids": "35 kg", "Classe": "32,5 R"}),
    (0, "Parpaing creux 20x20x50 cm", "Gros œuvre", None, "1.45",
     {"Dimensions": "20x20x50 cm", "Matériau": "Béton"}),
    (0, "Treillis soudé béton armé ST25C 2,40 x 6 m", "Gros œuvre", "ADETS", "38.50",
     {"Dimensions": "2,40 x 6 m", "Maille": "150 x 150 mm"}),
    (0, "Plaque de plâtre BA13 standard 2,50 x 1,20 m", "Plâtrerie", "Placo", "8.75",
     {"Épaisseur": "13 mm", "Dimensions": "2,50 x 1,20 m"}),
    (0, "Laine de verre en rouleau 100 mm R=2,50", "Isolation", "Isover", "42.90",
     {"Épaisseur": "100 mm", "Résistance thermique": "2,50"}),
    (0, "Perceuse-visseuse sans fil 18 V 2 batteries", "Outillage", "Makita", "189.00",
     {"Tension": "18 V", "Batteries": "2"}),
    (0, "Meuleuse d'angle 125 mm 1200 W", "Outillage", "Bosch", "99.90",
     {"Puissance": "1200 W", "Diamètre du disque": "125 mm"}),
    (0, "Brouette de chantier 100 L roue gonflable", "Outillage", "Haemmerlin", "74.00",
     {"Capacité": "100 L"}),
    (0, "Mortier colle carrelage C2 gris 25 kg", "Carrelage", "Weber", "21.40",
     {"Poids": "25 kg", "Classe": "C2"}),
    (0, "Carrelage grès cérame effet béton 60x60 cm", "Carrelage", "Porcelanosa", "29.90",
     {"Dimensions": "60x60 cm", "Finition": "Mate"}),
    (1, "Sable à maçonner 0/4 - big bag 1 t", "Gros œuvre", None, "65.00",
     {"Granulométrie": "0/4", "Poids": "1 t"}),
    (1, "Gravier concassé 6/10 - big bag 1 t", "Gros œuvre", None, "72.00",
     {"Granulométrie": "6/10", "Poids": "1 t"}),
    (1, "Tuile terre cuite romane canal rouge", "Couverture", "Terreal", "1.20",
     {"Couleur": "Rouge", "Matériau": "Terre cuite"}),
    (1, "Bloc béton cellulaire 62,5x25x20 cm", "Gros œuvre", "Ytong", "6.30",
     {"Dimensions": "62,5x25x20 cm", "Matériau": "Béton cellulaire"}),
    (1, "Poutrelle béton précontraint 4,20 m", "Gros œuvre", "KP1", "31.00",
     {"Longueur": "4,20 m", "Matériau": "Béton"}),
    (1, "Bétonnière électrique 160 L 650 W", "Outillage", "Altrad", "389.00",
     {"Capacité": "160 L", "Puissance": "650 W"}),
    (1, "Enduit de façade monocouche blanc 25 kg", "Façade", "ParexLanko", "18.90",
     {"Couleur": "Blanc", "Poids": "25 kg"}),
    (1, "Panneau OSB 3 épaisseur 18 mm 2,50 x 1,25 m", "Bois", "Kronospan", "27.50",
     {"Épaisseur": "18 mm", "Dimensions": "2,50 x 1,25 m"}),
    (2, "iPhone 13 128 Go Minuit - reconditionné", "Smartphones", "Apple", "459.00",
     {"Capacité": "128 Go", "Couleur": "Noir", "État": "Très bon état"}),
    (2, "iPhone 12 64 Go Blanc - reconditionné", "Smartphones", "Apple", "319.00",
     {"Capacité": "64 Go", "Couleur": "Blanc", "État": "Bon état"}),
    (2, "Galaxy S21 5G 128 Go Gris - reconditionné", "Smartphones", "Samsung", "289.00",
     {"Capacité": "128 Go", "Couleur": "Gris", "État": "Très bon état"}),
    (2, "Pixel 7 128 Go Vert - reconditionné", "Smartphones", "Google", "349.00",
     {"Capacité": "128 Go", "Couleur": "Vert", "État": "Parfait état"}),
    (2, "MacBook Air M1 13 pouces 8 Go 256 Go - reconditionné", "Ordinateurs portables",
     "Apple", "699.00", {"Mémoire": "8 Go", "Stockage": "256 Go", "État": "Très bon état"}),
    (2, "Latitude 7420 14 pouces i5 16 Go - reconditionné", "Ordinateurs portables", "Dell",
     "529.00", {"Mémoire": "16 Go", "Stockage": "512 Go", "État": "Bon état"}),
    (2, "iPad 9e génération 64 Go Wi-Fi - reconditionné", "Tablettes", "Apple", "259.00",
     {"Capacité": "64 Go", "État": "Très bon état"}),
    (2, "Casque à réduction de bruit WH-1000XM4 - reconditionné", "Audio", "Sony", "189.00",
     {"Couleur": "Noir", "État": "Parfait état"}),
    (2, "Console Switch OLED blanche - reconditionnée", "Consoles", "Nintendo", "279.00",
     {"Couleur": "Blanc", "État": "Très bon état"}),
    (2, "Montre connectée Watch Series 7 45 mm - reconditionnée", "Montres connectées",
     "Apple", "249.00", {"Taille": "45 mm", "État": "Bon état"}),
    (3, "Alimentation à découpage LRS-350-24 24 V 14,6 A", "Alimentations", "Mean Well",
     "38.60", {"Tension de sortie": "24 V", "Puissance": "350 W", "Montage": "Châssis"}),
    (3, "Alimentation rail DIN HDR-60-24 24 V 2,5 A", "Alimentations", "Mean Well", "24.90",
     {"Tension de sortie": "24 V", "Puissance": "60 W", "Montage": "Rail DIN"}),
    (3, "Alimentation rail DIN SDR-240-48 48 V 5 A", "Alimentations", "Mean Well", "96.40",
     {"Tension de sortie": "48 V", "Puissance": "240 W", "Montage": "Rail DIN"}),
    (3, "Driver LED HLG-240H-48A étanche IP65", "Drivers LED", "Mean Well", "89.00",
     {"Tension de sortie": "48 V", "Puissance": "240 W", "Indice IP": "IP65"}),
    (3, "Driver LED XLG-100-24-A courant constant", "Drivers LED", "Mean Well", "41.20",
     {"Tension de sortie": "24 V", "Puissance": "100 W", "Indice IP": "IP67"}),
    (3, "Convertisseur DC-DC SD-100C-12 36-72 V vers 12 V", "Convertisseurs", "Mean Well",
     "57.80", {"Tension de sortie": "12 V", "Puissance": "100 W", "Montage": "Châssis"}),
    (3, "Alimentation médicale RPS-400-24 24 V", "Alimentations", "Mean Well", "131.00",
     {"Tension de sortie": "24 V", "Puissance": "400 W", "Montage": "Châssis"}),
    (3, "Module redondance DR-RDN20 rail DIN", "Accessoires", "Mean Well", "33.50",
     {"Montage": "Rail DIN"}),
    (3, "Onduleur DC DRS-240-24 avec chargeur batterie", "Alimentations", "Mean Well",
     "142.00", {"Tension de sortie": "24 V", "Puissance": "240 W", "Montage": "Rail DIN"}),
    (3, "Chargeur de batterie PB-360P-24 24 V", "Chargeurs", "Mean Well", "118.00",
     {"Tension de sortie": "24 V", "Puissance": "360 W", "Montage": "Châssis"}),
    (3, "Alimentation à découpage UHP-500-12 fanless", "Alimentations", "Mean Well",
     "104.00", {"Tension de sortie": "12 V", "Puissance": "500 W", "Montage": "Châssis"}),
    (3, "Transformateur de sécurité 230/24 V 100 VA", "Transformateurs", "Legrand", "46.30",
     {"Tension de sortie": "24 V", "Puissance": "100 VA", "Montage": "Rail DIN"}),
]

_VARIANTS = ["lot de 2", "lot de 5", "lot de 10", "palette", "version pro", "édition 2024",
             "garantie 2 ans", "livraison express", "coloris anthracite", "coloris sable",
             "modèle compact", "modèle renforcé", "pack chantier", "kit complet"]


def _description(name: str, brand: str | None) -> str:
    by = f" de la marque {brand}" if brand else ""
    return (f"{name}{by}. Expédié depuis notre dépôt ; disponibilité et délai affichés "
            "en temps réel. Facture avec TVA.")


def _item(line: Line, rng: random.Random, *, variant: int = 0) -> tuple[int, ProductData]:
    shop_index, name, category, brand, price, attributes = line
    shop = SHOPS[shop_index]
    base = Decimal(price)
    if variant:
        name = f"{name} - {_VARIANTS[variant % len(_VARIANTS)]}"
        base = (base * Decimal(rng.uniform(0.8, 1.3))).quantize(Decimal("0.01"))
    stock = rng.choice([0, 0, 3, 12, 40, 150, 600])
    return shop_index, ProductData(
        name=name, description=_description(name, brand), brand=brand, category=category,
        attributes=list(attributes.items()), price=base, stock=stock,
        minimum_quantity=rng.choice([1, 1, 1, 2, 5, 10]) if shop_index != 2 else 1,
        lead_time_days=None if stock else rng.choice([3, 5, 10, 15]),
        warehouse=shop.warehouse, delivery_zones=shop.zones,
    )


def _generated(count: int, rng: random.Random) -> Iterator[tuple[int, ProductData]]:
    for n in range(1, count + 1):
        yield _item(CATALOG[rng.randrange(len(CATALOG))], rng, variant=n)


async def _account(email: str, role: Role, first: str, last: str, password_hash: str, *,
                   postal_code: str | None = None, company: Company | None = None,
                   rights: list[str] | None = None) -> Account:
    return await Account.create(
        email=email, password_hash=password_hash, first_name=first, last_name=last, role=role,
        postal_code=postal_code, company=company, rights=rights or [],
        email_confirmed_at=datetime.now(UTC),
    )


async def seed_demo(*, extra_products: int = 0) -> list[tuple[str, str]]:
    """Load the demo accounts and catalog unless they are there; the accounts to print."""
    if await Account.filter(email=BUYER).exists():
        return []
    rng = random.Random(2024)
    password_hash = hash_password(PASSWORD)
    async with atomic():
        await _account(BUYER, Role.BUYER, "Julie", "Lefèvre", password_hash, postal_code="75011")
        await _account(ADMIN, Role.ADMIN, "Équipe", "Comptoir", password_hash)
        company = await Company.create(
            name="Durand Bâtiment SARL", vat_number="FR40303265045", country="FR",
            line1="12 rue des Artisans", postal_code="69003", city="Lyon",
        )
        await _account(COMPANY_BUYER, Role.BUYER, "Paul", "Durand", password_hash,
                       postal_code="69003", company=company,
                       rights=["PLACE_ORDERS", "SEE_INVOICES", "SEE_COMPANY_ORDERS",
                               "MANAGE_COLLEAGUES"])
        actors = []
        for shop in SHOPS:
            account = await _account(shop.email, Role.SELLER, shop.first_name, shop.last_name,
                                     password_hash)
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
