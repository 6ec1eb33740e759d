"""Reset requests: the mutation records one row whatever the address, the jobs runner answers
it (a link mailed to an account, within the address's cap; nothing for any other address)."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest
from starlette.applications import Starlette

from comptoir.jobs import Deps, Runner, run_jobs_in_background
from comptoir.settings import Settings
from models.accounts import AccountToken, ResetRequest, Role
from models.mail import OutboxMail
from resolvers.accounts.recovery import answer_reset_requests, request_password_reset
from resolvers.actor import ANONYMOUS
from resolvers.policy import Policy
from tests.accounts_helpers import mails_to
from tests.factories import make_account
from tests.mail_helpers import eventually

pytestmark = pytest.mark.usefixtures("app")

KNOWN = "lea@example.fr"
UNKNOWN = "nobody@example.fr"


async def statements_of(email: str, policy: Policy) -> list[str]:
    """The SQL statements a reset request for `email` sends, verb and table, in order: only
    this task's (the live catch-up tick and the mail sender query in the background)."""
    ours = asyncio.current_task()
    sent: list[str] = []

    class Recorder(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            statement = record.getMessage()
            table = re.search(r'(?:FROM|INTO|UPDATE) "?(\w+)', statement)
            if asyncio.current_task() is ours and table is not None:
                sent.append(f"{statement.split()[0]} {table.group(1)}")

    logger = logging.getLogger("tortoise.db_client")
    recorder, level = Recorder(), logger.level
    logger.addHandler(recorder)
    logger.setLevel(logging.DEBUG)
    try:
        await request_password_reset(ANONYMOUS, email=email, policy=policy)
    finally:
        logger.removeHandler(recorder)
        logger.setLevel(level)
    return sent


async def test_a_request_writes_the_same_single_row_for_a_known_and_an_unknown_address(
    policy: Policy,
) -> None:
    """Its timing must not tell who has an account: the same one statement either way."""
    await make_account(Role.BUYER, email=KNOWN)
    known = await statements_of(" Lea@Example.fr", policy)
    unknown = await statements_of(UNKNOWN, policy)
    assert known == unknown == ["INSERT reset_request"]
    recorded = [row.email for row in await ResetRequest.all().order_by("id")]
    assert recorded == [KNOWN, UNKNOWN]
    assert await AccountToken.all().count() == await OutboxMail.all().count() == 0


async def test_the_job_mails_a_link_to_an_account_and_nothing_to_an_unknown_address(
    policy: Policy,
) -> None:
    await make_account(Role.BUYER, email=KNOWN)
    for address in (KNOWN, UNKNOWN, "x" * 300 + "@example.fr"):
        await request_password_reset(ANONYMOUS, email=address, policy=policy)
    assert await answer_reset_requests(policy=policy, batch=2) == 3
    (mail,) = await OutboxMail.all()
    assert mail.recipient == KNOWN
    assert "/reset-password?token=" in mail.body
    assert await AccountToken.all().count() == 1
    assert await ResetRequest.all().count() == 0
    assert await answer_reset_requests(policy=policy) == 0


async def test_two_runners_racing_answer_each_request_once(policy: Policy) -> None:
    addresses = [f"client{i}@example.fr" for i in range(4)]
    for address in addresses:
        await make_account(Role.BUYER, email=address)
    for address in [*addresses, *addresses, UNKNOWN]:
        await request_password_reset(ANONYMOUS, email=address, policy=policy)
    answered = await asyncio.gather(
        answer_reset_requests(policy=policy, batch=3), answer_reset_requests(policy=policy)
    )
    assert sum(answered) == 9
    for address in addresses:
        assert len(await mails_to(address)) == 2
    assert await OutboxMail.all().count() == await AccountToken.all().count() == 8
    assert await ResetRequest.all().count() == 0


async def test_past_the_addresss_hourly_cap_nothing_is_queued(policy: Policy) -> None:
    await make_account(Role.BUYER, email=KNOWN)
    cap = policy.account_mails_per_hour
    for _ in range(cap + 1):
        await request_password_reset(ANONYMOUS, email=KNOWN, policy=policy)
    assert await answer_reset_requests(policy=policy) == cap + 1
    assert len(await mails_to(KNOWN)) == cap
    assert await ResetRequest.all().count() == 0


async def test_the_runner_answers_on_the_doorbell_not_the_interval(
    app: Starlette, policy: Policy, settings: Settings
) -> None:
    await make_account(Role.BUYER, email=KNOWN)
    # An interval of an hour: only the doorbell can make this mail leave during the test. The
    # app's broadcast, as its embedded runner hears; the suite's mail lands under var/mail.
    runner = Runner(Deps.from_settings(settings, policy=policy), interval_seconds=3600)
    async with run_jobs_in_background(runner, app.state.live.broadcast):
        await asyncio.wait_for(runner.ready.wait(), 30)
        await request_password_reset(ANONYMOUS, email=UNKNOWN, policy=policy)
        await request_password_reset(ANONYMOUS, email=KNOWN, policy=policy)

        async def sent() -> bool:
            return await OutboxMail.filter(recipient=KNOWN, sent_at__isnull=False).exists()

        await eventually(sent, within=20, what="the reset mail, recorded as sent")
    assert await OutboxMail.all().count() == 1
    assert await ResetRequest.all().count() == 0
