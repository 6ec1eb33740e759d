"""Catalog: sellers' products and stock, name search, filters, comparison."""

from resolvers.catalog.loading import attributes_of, deliverable, products_by_id, zones_of

__all__ = ["attributes_of", "deliverable", "products_by_id", "zones_of"]
