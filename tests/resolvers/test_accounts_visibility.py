"""can_see_private_fields and masked_email, without HTTP."""

from __future__ import annotations

import pytest

from models.accounts import Account, Role
from resolvers.accounts import can_see_private_fields, masked_email
from resolvers.actor import ANONYMOUS, Actor


def _account(account_id: int = 7, company_id: int | None = None) -> Account:
    return Account(
        id=account_id, email="camille@example.fr", role=Role.BUYER, company_id=company_id
    )


@pytest.mark.parametrize(
    ("actor", "company_id", "expected"),
    [
        (ANONYMOUS, None, False),
        (Actor(account_id=7, role=Role.BUYER), None, True),
        (Actor(account_id=1, role=Role.ADMIN), None, True),
        (Actor(account_id=8, role=Role.BUYER, company_id=3), 3, True),
        (Actor(account_id=8, role=Role.BUYER, company_id=4), 3, False),
        # Two buyers without a company are not colleagues.
        (Actor(account_id=8, role=Role.BUYER), None, False),
        (Actor(account_id=9, role=Role.SELLER, seller_id=2), 3, False),
    ],
)
def test_private_fields_go_to_the_account_admins_and_colleagues_only(
    actor: Actor, company_id: int | None, expected: bool
) -> None:
    assert can_see_private_fields(actor, _account(company_id=company_id)) is expected


def test_the_mask_keeps_only_the_first_character() -> None:
    assert masked_email("camille.martin@example.fr") == "c***@***"
