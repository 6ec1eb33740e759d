"""Settings read the environment over defaults each stated once, and hand them to the rules."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest

from comptoir.settings import Settings
from realtime.doorbell import Doorbell
from resolvers.policy import Policy, Tunables


@pytest.fixture
def var(tmp_path: Path) -> dict[str, str]:
    return {"COMPTOIR_VAR_DIR": str(tmp_path), "COMPTOIR_SECRET_KEY": "k" * 32}


def test_without_variables_the_rules_keep_their_stated_defaults(var: dict[str, str]) -> None:
    policy = Settings.from_env(var).policy(doorbell=Doorbell())
    assert policy == Policy(doorbell=Doorbell(), secret_key="k" * 32)
    assert policy.rate_limits == Tunables().rate_limits


def test_each_number_or_flag_is_read_from_its_comptoir_variable(var: dict[str, str]) -> None:
    settings = Settings.from_env(
        {
            **var,
            "COMPTOIR_SLA_BUSINESS_HOURS": "8",
            "COMPTOIR_SMALL_ORDER_FEE": "7.50",
            "COMPTOIR_CLAIM_MAX_PHOTOS": "3",
            "COMPTOIR_MAX_DEPTH": "5",
            "COMPTOIR_WS_COMPRESSION": "yes",
            "COMPTOIR_INTROSPECTION": "off",
            # Empty is unset: the default stands.
            "COMPTOIR_DEFAULT_VAT_RATE": "",
        }
    )
    policy = settings.policy(doorbell=Doorbell())
    assert (policy.sla_business_hours, policy.small_order_fee, policy.claim_max_photos) == (
        8.0,
        Decimal("7.50"),
        3,
    )
    assert policy.default_vat_rate == Tunables.default_vat_rate
    assert (settings.max_depth, settings.ws_compression, settings.introspection) == (5, True, False)


def test_the_policy_carries_every_tunable_and_the_doorbell_it_is_given(
    var: dict[str, str],
) -> None:
    settings = Settings.from_env({**var, "COMPTOIR_MARKET": "be", "PORT": "9000"})
    doorbell = Doorbell()
    policy = settings.policy(doorbell=doorbell)
    assert policy.doorbell is doorbell
    for tunable in dataclasses.fields(Tunables):
        assert getattr(policy, tunable.name) == getattr(settings, tunable.name), tunable.name
    assert (policy.market, policy.time_zone, policy.public_url) == (
        "BE",
        "Europe/Brussels",
        "http://localhost:9000",
    )
