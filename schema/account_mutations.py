"""The account mutations: registration, login, passwords, profile, two-factor, colleagues."""

from __future__ import annotations

from typing import Any

import strawberry

from models import accounts as m
from resolvers import accounts as rules
from schema.accounts import Account
from schema.context import Info
from schema.errors import UserError, mutate
from schema.ids import decode_id


@strawberry.input
class CompanyInput:
    name: str
    vat_number: str
    country: str = strawberry.field(description="ISO 3166-1 alpha-2, e.g. FR")
    line1: str
    postal_code: str
    city: str


@strawberry.input
class RegisterInput:
    email: str
    password: str
    first_name: str
    last_name: str
    role: m.Role = strawberry.field(default=m.Role.BUYER, description="BUYER or SELLER")
    postal_code: str | None = None
    shop_name: str | None = strawberry.field(default=None, description="Required for sellers")
    company: CompanyInput | None = strawberry.field(
        default=None, description="Buyers registering a company account (its main user)"
    )


@strawberry.input(description='Omitted or null fields stay as they are; postalCode "" clears.')
class ProfileInput:
    first_name: str | None = None
    last_name: str | None = None
    postal_code: str | None = None
    shop_name: str | None = strawberry.field(default=None, description="Sellers only")


@strawberry.type
class RegisterPayload:
    errors: list[UserError]
    account: Account | None = None


@strawberry.type
class ConfirmEmailPayload:
    errors: list[UserError]
    account: Account | None = None


@strawberry.type
class LoginPayload:
    errors: list[UserError]
    token: str | None = None
    account: Account | None = None


@strawberry.type
class LogoutPayload:
    errors: list[UserError]


@strawberry.type
class RequestPasswordResetPayload:
    errors: list[UserError]


@strawberry.type
class ResetPasswordPayload:
    errors: list[UserError]


@strawberry.type
class ChangePasswordPayload:
    errors: list[UserError]


@strawberry.type
class UpdateProfilePayload:
    errors: list[UserError]
    account: Account | None = None


@strawberry.type
class DeleteAccountPayload:
    errors: list[UserError]


@strawberry.type
class StartTwoFactorPayload:
    errors: list[UserError]
    secret: str | None = None
    otpauth_uri: str | None = None


@strawberry.type
class ConfirmTwoFactorPayload:
    errors: list[UserError]
    account: Account | None = None


@strawberry.type
class DisableTwoFactorPayload:
    errors: list[UserError]
    account: Account | None = None


@strawberry.type
class AddColleaguePayload:
    errors: list[UserError]
    account: Account | None = strawberry.field(
        default=None, description="The colleague, when an existing account joined at once"
    )
    invitation_sent: bool | None = strawberry.field(
        default=None, description="True when the address had no account and got an invitation"
    )


@strawberry.type
class SetColleagueRightsPayload:
    errors: list[UserError]
    account: Account | None = None


@strawberry.type
class RemoveColleaguePayload:
    errors: list[UserError]


def _company(value: CompanyInput | None) -> rules.CompanyDetails | None:
    if value is None:
        return None
    return rules.CompanyDetails(
        name=value.name,
        vat_number=value.vat_number,
        country=value.country,
        line1=value.line1,
        postal_code=value.postal_code,
        city=value.city,
    )


def _login(result: rules.LoginResult) -> dict[str, Any]:
    return {"token": result.token, "account": Account(model=result.account, proven_owner=True)}


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def register(self, info: Info, input: RegisterInput) -> RegisterPayload:
        async def do() -> dict[str, Any]:
            account = await rules.register(
                info.context.actor,
                email=input.email,
                password=input.password,
                first_name=input.first_name,
                last_name=input.last_name,
                role=input.role,
                postal_code=input.postal_code,
                shop_name=input.shop_name,
                company=_company(input.company),
                policy=info.context.policy,
            )
            return {"account": Account(model=account, proven_owner=True)}

        return await mutate(RegisterPayload, do)

    @strawberry.mutation
    async def confirm_email(self, info: Info, token: str) -> ConfirmEmailPayload:
        async def do() -> dict[str, Any]:
            account = await rules.confirm_email(info.context.actor, token=token)
            return {"account": Account(model=account, proven_owner=True)}

        return await mutate(ConfirmEmailPayload, do)

    @strawberry.mutation
    async def login(
        self, info: Info, email: str, password: str, otp: str | None = None
    ) -> LoginPayload:
        async def do() -> dict[str, Any]:
            return _login(
                await rules.login(
                    info.context.actor,
                    email=email,
                    password=password,
                    otp=otp,
                    policy=info.context.policy,
                )
            )

        return await mutate(LoginPayload, do)

    @strawberry.mutation
    async def logout(self, info: Info) -> LogoutPayload:
        async def do() -> dict[str, Any]:
            await rules.logout(info.context.actor, policy=info.context.policy)
            return {}

        return await mutate(LogoutPayload, do)

    # Same answer whether or not the e-mail has an account.
    @strawberry.mutation
    async def request_password_reset(self, info: Info, email: str) -> RequestPasswordResetPayload:
        async def do() -> dict[str, Any]:
            await rules.request_password_reset(
                info.context.actor, email=email, policy=info.context.policy
            )
            return {}

        return await mutate(RequestPasswordResetPayload, do)

    @strawberry.mutation
    async def reset_password(
        self, info: Info, token: str, new_password: str
    ) -> ResetPasswordPayload:
        async def do() -> dict[str, Any]:
            await rules.reset_password(
                info.context.actor,
                token=token,
                new_password=new_password,
                policy=info.context.policy,
            )
            return {}

        return await mutate(ResetPasswordPayload, do)

    @strawberry.mutation
    async def change_password(
        self, info: Info, current_password: str, new_password: str
    ) -> ChangePasswordPayload:
        async def do() -> dict[str, Any]:
            await rules.change_password(
                info.context.actor,
                current_password=current_password,
                new_password=new_password,
                policy=info.context.policy,
            )
            return {}

        return await mutate(ChangePasswordPayload, do)

    @strawberry.mutation
    async def update_profile(self, info: Info, input: ProfileInput) -> UpdateProfilePayload:
        async def do() -> dict[str, Any]:
            changes = rules.ProfileChanges(
                first_name=input.first_name,
                last_name=input.last_name,
                postal_code=input.postal_code,
                shop_name=input.shop_name,
            )
            account = await rules.update_profile(info.context.actor, changes=changes)
            return {"account": Account(model=account)}

        return await mutate(UpdateProfilePayload, do)

    @strawberry.mutation
    async def delete_account(self, info: Info, password: str) -> DeleteAccountPayload:
        async def do() -> dict[str, Any]:
            await rules.delete_account(
                info.context.actor, password=password, policy=info.context.policy
            )
            return {}

        return await mutate(DeleteAccountPayload, do)

    @strawberry.mutation
    async def start_two_factor(self, info: Info) -> StartTwoFactorPayload:
        async def do() -> dict[str, Any]:
            setup = await rules.start_two_factor(info.context.actor)
            return {"secret": setup.secret, "otpauth_uri": setup.otpauth_uri}

        return await mutate(StartTwoFactorPayload, do)

    @strawberry.mutation
    async def confirm_two_factor(self, info: Info, otp: str) -> ConfirmTwoFactorPayload:
        async def do() -> dict[str, Any]:
            account = await rules.confirm_two_factor(info.context.actor, otp=otp)
            return {"account": Account(model=account)}

        return await mutate(ConfirmTwoFactorPayload, do)

    @strawberry.mutation
    async def disable_two_factor(
        self, info: Info, password: str, otp: str
    ) -> DisableTwoFactorPayload:
        async def do() -> dict[str, Any]:
            account = await rules.disable_two_factor(
                info.context.actor, password=password, otp=otp, policy=info.context.policy
            )
            return {"account": Account(model=account)}

        return await mutate(DisableTwoFactorPayload, do)

    @strawberry.mutation
    async def add_colleague(
        self, info: Info, email: str, rights: list[m.CompanyRight]
    ) -> AddColleaguePayload:
        async def do() -> dict[str, Any]:
            result = await rules.add_colleague(
                info.context.actor, email=email, rights=rights, policy=info.context.policy
            )
            if result.account is None:
                return {"invitation_sent": True}
            return {"account": Account(model=result.account), "invitation_sent": False}

        return await mutate(AddColleaguePayload, do)

    @strawberry.mutation
    async def accept_invitation(
        self, info: Info, token: str, password: str, first_name: str, last_name: str
    ) -> LoginPayload:
        async def do() -> dict[str, Any]:
            return _login(
                await rules.accept_invitation(
                    info.context.actor,
                    token=token,
                    password=password,
                    first_name=first_name,
                    last_name=last_name,
                    policy=info.context.policy,
                )
            )

        return await mutate(LoginPayload, do)

    @strawberry.mutation
    async def set_colleague_rights(
        self, info: Info, account_id: strawberry.ID, rights: list[m.CompanyRight]
    ) -> SetColleagueRightsPayload:
        async def do() -> dict[str, Any]:
            account = await rules.set_colleague_rights(
                info.context.actor,
                account_id=decode_id(account_id, "Account", "accountId"),
                rights=rights,
            )
            return {"account": Account(model=account)}

        return await mutate(SetColleagueRightsPayload, do)

    @strawberry.mutation
    async def remove_colleague(
        self, info: Info, account_id: strawberry.ID
    ) -> RemoveColleaguePayload:
        async def do() -> dict[str, Any]:
            await rules.remove_colleague(
                info.context.actor,
                account_id=decode_id(account_id, "Account", "accountId"),
                policy=info.context.policy,
            )
            return {}

        return await mutate(RemoveColleaguePayload, do)
