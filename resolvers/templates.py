"""Order templates (seed 003, B2B): a saved cart that can be put back in the cart later."""

from __future__ import annotations

from datetime import UTC, datetime

from models.accounts import Role
from models.orders import OrderTemplate, OrderTemplateLine
from realtime.log import atomic
from resolvers.actor import Actor, require_role
from resolvers.cart import (
    CartView,
    LineChange,
    WantedLine,
    cart_lines,
    cart_view,
    put_lines_in_cart,
)
from resolvers.errors import DomainError, ErrorCode, Problems
from resolvers.policy import Policy
from resolvers.pricing import money

MAX_NAME = 200


async def list_templates(actor: Actor) -> list[OrderTemplate]:
    """The caller's templates, by name."""
    buyer_id = require_role(actor, Role.BUYER)
    return list(await OrderTemplate.filter(buyer_id=buyer_id).order_by("name", "id"))


async def save_cart_as_template(actor: Actor, *, name: str) -> OrderTemplate:
    """Save the cart's lines under `name`; a template of the same name is replaced."""
    buyer_id = require_role(actor, Role.BUYER)
    cleaned = name.strip()
    with Problems() as problems:
        if not cleaned or len(cleaned) > MAX_NAME:
            problems.invalid(f"Nom : 1 à {MAX_NAME} caractères.", "name")
    async with atomic():
        lines = await cart_lines(buyer_id)
        if not lines:
            raise DomainError(ErrorCode.CART_EMPTY, "Le panier est vide.")
        template, created = await OrderTemplate.get_or_create(
            buyer_id=buyer_id, name=cleaned, defaults={"created_at": datetime.now(UTC)}
        )
        if not created:
            await OrderTemplateLine.filter(template_id=template.id).delete()
        await OrderTemplateLine.bulk_create(
            [
                OrderTemplateLine(
                    template_id=template.id,
                    product_id=line.product_id,
                    product_ref=line.product_id,
                    product_name=line.product.name,
                    unit_price=money(line.product.price),
                    quantity=line.quantity,
                )
                for line in lines
            ]
        )
    return template


async def apply_template(
    actor: Actor, *, template_id: int, policy: Policy
) -> tuple[CartView, list[LineChange]]:
    """Add the template's lines to the cart, reporting what changed since it was saved."""
    buyer_id = require_role(actor, Role.BUYER)
    template = await OrderTemplate.get_or_none(id=template_id, buyer_id=buyer_id)
    if template is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Modèle introuvable.", "templateId")
    lines = await OrderTemplateLine.filter(template_id=template.id).order_by("id")
    changes = await put_lines_in_cart(
        buyer_id,
        [
            WantedLine(
                product_id=line.product_ref,
                product_name=line.product_name,
                unit_price=line.unit_price,
                quantity=line.quantity,
            )
            for line in lines
        ],
    )
    return await cart_view(buyer_id, policy=policy), changes
