"""Accounts: registration, confirmation, login, sessions, passwords, two-factor, colleagues."""

from resolvers.accounts.colleagues import (
    AddColleagueResult,
    accept_invitation,
    add_colleague,
    remove_colleague,
    set_colleague_rights,
)
from resolvers.accounts.login import LoginResult, login, logout
from resolvers.accounts.profile import ProfileChanges, delete_account, update_profile
from resolvers.accounts.queries import company_members, me
from resolvers.accounts.recovery import change_password, request_password_reset, reset_password
from resolvers.accounts.registration import CompanyDetails, confirm_email, create_admin, register
from resolvers.accounts.two_factor import (
    TwoFactorSetup,
    confirm_two_factor,
    disable_two_factor,
    start_two_factor,
)
from resolvers.accounts.visibility import can_see_private_fields, masked_email

__all__ = [
    "AddColleagueResult",
    "CompanyDetails",
    "LoginResult",
    "ProfileChanges",
    "TwoFactorSetup",
    "accept_invitation",
    "add_colleague",
    "can_see_private_fields",
    "change_password",
    "company_members",
    "confirm_email",
    "confirm_two_factor",
    "create_admin",
    "delete_account",
    "disable_two_factor",
    "login",
    "logout",
    "masked_email",
    "me",
    "register",
    "remove_colleague",
    "request_password_reset",
    "reset_password",
    "set_colleague_rights",
    "start_two_factor",
    "update_profile",
]
