"""Tortoise models: tables, relations, indexes, unique constraints, enums. Nothing else."""

# Every module holding models; Tortoise and the migrations read this list.
MODEL_MODULES = (
    "models.accounts",
    "models.mail",
    "models.events",
    "models.catalog",
    "models.helpdesk",
    "models.orders",
    "models.invoices",
    "models.standing",
    "models.quotes",
    "models.claims",
    "models.abuse",
    "models.deadlines",
)
