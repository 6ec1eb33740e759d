"""Catalog: sellers' products and stock, name search, filters, comparison."""

from resolvers.catalog.loading import attributes_of, deliverable, sellers_of, zones_of
from resolvers.catalog.products import (
    ProductData,
    create_product,
    set_stock,
    update_product,
    vat_rate_of,
    withdraw_seller_products,
)

__all__ = [
    "ProductData",
    "attributes_of",
    "create_product",
    "deliverable",
    "sellers_of",
    "set_stock",
    "update_product",
    "vat_rate_of",
    "withdraw_seller_products",
    "zones_of",
]
