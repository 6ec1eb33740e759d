import pytest

from resolvers.contact_details import find_contact_details

EMAILS = [
    "jean.dupont@gmail.com",
    "JEAN.DUPONT@GMAIL.COM",
    "Écrivez-moi : jean at gmail dot com",
    "jean [at] gmail [dot] com",
    "jean(at)gmail.com",
    "jean arobase gmail point com",
    "jean @ gmail . com",
    "jean{at}orange{dot}fr",
    "jean.dupont at mail dot example dot com",
]

PHONES = [
    "06 12 34 56 78",
    "06.12.34.56.78",
    "0612345678",
    "06-12-34-56-78",
    "+33 6 12 34 56 78",
    "+33 (0)6 12 34 56 78",
    "0033612345678",
    "+33612345678",
    "appelez-moi au 01 23 45 67 89 svp",
    "+44 20 7946 0958",
    "+1 415 555 0100",
    "0044 20 7946 0958",
    "mon fixe allemand : +49 30 12345678",
]

URLS = [
    "www.example.fr",
    "https://example.com/produit?id=3",
    "http://localhost:8000",
    "monsite.com",
    "voyez ma boutique-dupont.fr, c'est moins cher",
    "example dot com",
    "example[dot]com",
    "monsite point com",
    "example.co.uk",
]

IBANS = [
    "FR76 3000 6000 0112 3456 7890 189",
    "FR7630006000011234567890189",
    "virez sur fr76 3000 6000 0112 3456 7890 189 merci beaucoup",
    "DE89 3704 0044 0532 0130 00",
    "GB82 WEST 1234 5698 7654 32",
    "BE71 0961 2345 6769",
    "IBAN : NL91ABNA0417164300.",
]

CLEAN = [
    "Bonjour, ma commande CMD-2026-000123 n'est pas arrivée.",
    "commande 20261130-0042",
    "Le prix est de 149,90 €",
    "Total : 1 250.00 EUR",
    "Livraison au 12 rue de la Paix, 75011 Paris",
    "69003 Lyon",
    "J'en voudrais 12, par palette de 48, soit 576 pièces.",
    "Livrée le 30/11/2026 entre 8h et 12h",
    "le 01.12.2026 10h30",
    "SIRET 73282932000074",
    "Colissimo 6A12345678901",
    "UPS 1Z999AA10123456784",
    "La Poste LA123456789FR",
    "Bonjour @ tous. Merci",
    "Merci.Bonne journée",
    "Je passe au point de retrait, c'est un bon point de vue.",
    "Le point info du magasin m'a renseigné.",
    "photo.jpg jointe, version 2.0.1 du firmware",
    "Une hausse de +1 250 000.00 EUR ? Non, +15 %.",
    "FR76 3000 6000 0112 3456 7890 188",
    "I will arrive at 10 tomorrow",
    "",
]


@pytest.mark.parametrize("body", EMAILS)
def test_email_addresses_are_found_even_when_obfuscated(body: str) -> None:
    assert find_contact_details(body) == ["email"]


@pytest.mark.parametrize("body", PHONES)
def test_phone_numbers_are_found_in_every_usual_form(body: str) -> None:
    assert find_contact_details(body) == ["phone"]


@pytest.mark.parametrize("body", URLS)
def test_web_addresses_are_found(body: str) -> None:
    assert find_contact_details(body) == ["url"]


@pytest.mark.parametrize("body", IBANS)
def test_valid_ibans_are_found(body: str) -> None:
    assert find_contact_details(body) == ["iban"]


@pytest.mark.parametrize("body", CLEAN)
def test_ordinary_order_talk_is_not_flagged(body: str) -> None:
    assert find_contact_details(body) == []


def test_every_kind_in_one_message_is_reported_once_in_a_fixed_order() -> None:
    body = (
        "Contactez-moi hors plateforme : jean@gmail.com, 06 12 34 56 78 ou 07 98 76 54 32, "
        "www.dupont.fr, et payez sur FR76 3000 6000 0112 3456 7890 189."
    )
    assert find_contact_details(body) == ["email", "phone", "url", "iban"]


def test_digits_inside_a_web_address_are_not_also_a_phone() -> None:
    assert find_contact_details("https://example.fr/0612345678") == ["url"]


def test_the_domain_of_an_email_is_not_also_a_web_address() -> None:
    assert find_contact_details("jean arobase gmail point com") == ["email"]
