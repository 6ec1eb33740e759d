"""Requests for quotation (seed 003): quote list, offers, acceptance into an order, expiry."""

from resolvers.quotes.accept import Choice, accept_quote
from resolvers.quotes.answers import (
    TierPrice,
    decline_quote,
    expire_offered_quotes,
    next_quote_expiry,
    offer_quote,
    refuse_quote,
)
from resolvers.quotes.queries import (
    get_quote,
    history_of,
    is_overdue,
    lines_of,
    list_quotes,
    read_quote,
    tiers_of,
)
from resolvers.quotes.requests import (
    QuoteListLineView,
    QuoteListView,
    add_to_quote_list,
    get_quote_list,
    remove_from_quote_list,
    send_quote_request,
)

__all__ = [
    "Choice",
    "QuoteListLineView",
    "QuoteListView",
    "TierPrice",
    "accept_quote",
    "add_to_quote_list",
    "decline_quote",
    "expire_offered_quotes",
    "get_quote",
    "get_quote_list",
    "history_of",
    "is_overdue",
    "lines_of",
    "list_quotes",
    "next_quote_expiry",
    "offer_quote",
    "read_quote",
    "refuse_quote",
    "remove_from_quote_list",
    "send_quote_request",
    "tiers_of",
]
