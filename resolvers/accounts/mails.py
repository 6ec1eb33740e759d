"""The account mails, in French.  Links are built from PUBLIC_URL, never from the request."""

from __future__ import annotations

from urllib.parse import urlencode

from models.mail import MailPriority
from resolvers.mail import enqueue_mail
from resolvers.policy import Policy
from resolvers.throttle import RateLimit, take

SIGNATURE = "\n\nÀ bientôt sur Comptoir,\nL'équipe Comptoir\n"


async def mail_slot(to: str, *, policy: Policy) -> bool:
    """Take one of the address's account mails of the hour (API.md, Abuse limits).

    Past the cap nothing is queued and the caller answers exactly as before: the cap must not
    tell anyone which addresses have an account.  Not a rate limit: it stays on with
    COMPTOIR_RATE_LIMITS=0.
    """
    return await take(f"account-mail:{to}", RateLimit(policy.account_mails_per_hour, 3600))


async def _account_mail(*, to: str, subject: str, body: str, policy: Policy) -> bool:
    """An account mail within the address's hourly cap (False: past it, nothing queued);
    account mails leave first."""
    if not await mail_slot(to, policy=policy):
        return False
    await enqueue_mail(
        to=to, subject=subject, body=body, priority=MailPriority.ACCOUNT, policy=policy
    )
    return True


def link(path: str, token: str, *, policy: Policy) -> str:
    return f"{policy.link(path)}?{urlencode({'token': token})}"


def _duration(minutes: float) -> str:
    if minutes >= 1440 and minutes % 1440 == 0:
        days = int(minutes // 1440)
        return f"{days} jour{'s' if days > 1 else ''}"
    return f"{minutes:g} minutes"


async def confirmation_mail(*, to: str, first_name: str, token: str, policy: Policy) -> None:
    days = policy.confirm_token_days
    await _account_mail(
        policy=policy,
        to=to,
        subject="Confirmez votre adresse e-mail",
        body=(
            f"Bonjour {first_name},\n\n"
            "Bienvenue sur Comptoir ! Pour activer votre compte, ouvrez ce lien :\n"
            f"{link('confirm-email', token, policy=policy)}\n\n"
            f"Ce lien est valable {_duration(days * 1440)} et ne sert qu'une fois. "
            "Si vous n'avez pas créé de compte, ignorez ce message." + SIGNATURE
        ),
    )


async def reset_mail(*, to: str, first_name: str, token: str, policy: Policy) -> None:
    minutes = policy.reset_token_minutes
    await _account_mail(
        policy=policy,
        to=to,
        subject="Réinitialisation de votre mot de passe",
        body=(
            f"Bonjour {first_name},\n\n"
            "Vous avez demandé à changer de mot de passe. Choisissez-en un nouveau ici :\n"
            f"{link('reset-password', token, policy=policy)}\n\n"
            f"Ce lien est valable {_duration(minutes)} et ne sert qu'une fois. "
            "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : "
            "votre mot de passe reste inchangé." + SIGNATURE
        ),
    )


async def invitation_mail(
    *, to: str, company: str, inviter: str, token: str, policy: Policy
) -> bool:
    """False when the address's cap left it unsent."""
    days = policy.invitation_days
    return await _account_mail(
        policy=policy,
        to=to,
        subject=f"Invitation à rejoindre {company} sur Comptoir",
        body=(
            "Bonjour,\n\n"
            f"{inviter} vous invite à rejoindre le compte de l'entreprise {company} "
            "sur Comptoir. Pour créer votre accès, ouvrez ce lien :\n"
            f"{link('accept-invitation', token, policy=policy)}\n\n"
            f"Cette invitation est valable {_duration(days * 1440)}." + SIGNATURE
        ),
    )


async def joined_company_mail(
    *, to: str, first_name: str, company: str, inviter: str, policy: Policy
) -> None:
    await enqueue_mail(
        policy=policy,
        to=to,
        priority=MailPriority.ACCOUNT,
        subject=f"Vous avez rejoint {company} sur Comptoir",
        body=(
            f"Bonjour {first_name},\n\n"
            f"{inviter} a ajouté votre compte à l'entreprise {company}. "
            "Vos prochaines commandes pourront être passées au nom de l'entreprise, selon "
            "les droits qui vous ont été donnés." + SIGNATURE
        ),
    )
