"""Helpdesk (seed 004): buyer–seller threads, the seller's response SLA, support tickets."""

from resolvers.helpdesk.messages import Posted, post_message
from resolvers.helpdesk.opening import Opened, open_support_ticket, open_thread
from resolvers.helpdesk.sla import is_overdue, response_rates
from resolvers.helpdesk.threads import (
    MessagesKey,
    Side,
    UnreadKey,
    can_see_thread,
    get_thread,
    list_threads,
    mark_thread_read,
    message_pages,
    messages_key,
    shown_account,
    shown_order,
    unread_counts,
    unread_key,
)

__all__ = [
    "MessagesKey",
    "Opened",
    "Posted",
    "Side",
    "UnreadKey",
    "can_see_thread",
    "get_thread",
    "is_overdue",
    "list_threads",
    "mark_thread_read",
    "message_pages",
    "messages_key",
    "open_support_ticket",
    "open_thread",
    "post_message",
    "response_rates",
    "shown_account",
    "shown_order",
    "unread_counts",
    "unread_key",
]
