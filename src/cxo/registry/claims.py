"""Verified claims of registry organisations: a request, the evidence, a registry curator's decision.

Following an e-mailed RFP invitation to an unclaimed entry makes the person a guest bidder of that invitation
only (``cxo.sourcing.services.invitation.invitation_claim``). To administer the organisation — its other
invitations, its members, its public profile — they ask here; a registry curator (``PlatformRole``) approves or
rejects the request with a reason after seeing the evidence kept on it: the requester, their e-mail domain
against the organisation's known names and sites, and the invitations they hold with the sponsors that sent
them. Every step is in the organisation's audit trail; until approval the requester stays a guest.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from rapidfuzz import fuzz

from cxo.core.audit import audit_record
from cxo.core.errors import Conflict, NotFound, NotPermitted, ServiceError
from cxo.core.models import ClaimStatus, Organisation, OrganisationClaim, User
from cxo.core.roles import PLATFORM_DOING, PlatformPermission, Role, platform_can
from cxo.core.selectors import membership_get
from cxo.core.services import claimant_make_admin
from cxo.registry.models import Site
from cxo.registry.names import name_core, name_key

# A domain anyone can get an address at says nothing about who the requester works for.
FREE_MAIL = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "yandex.com",
        "yandex.ru",
        "qq.com",
        "163.com",
        "126.com",
        "sina.com",
        "rediffmail.com",
        "zoho.com",
    ]
)
# Second-level labels under a country code ("lonza.co.uk"): the company's label is the one before them.
_SECOND_LEVEL = frozenset(["co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "gob", "ltd", "plc"])
DOMAIN_MATCH = 90.0  # rapidfuzz ratio of the domain's label against a name's core, of 100
MAX_NAMES = 200  # names checked: the organisation's own and its sites' (DECRS firm names)


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower() if "@" in email else ""


def _domain_label(domain: str) -> str:
    labels = [label for label in domain.split(".") if label]
    if len(labels) < 2:
        return domain
    labels = labels[:-1]  # the top-level domain
    while len(labels) > 1 and labels[-1] in _SECOND_LEVEL:
        labels = labels[:-1]
    return labels[-1].replace("-", "")


def _name_score(label: str, name: str) -> float:
    """How well a domain label ("registrylabs") spells a company name ("Registry Labs, Inc."), of 100."""
    key = name_key(name)
    core = name_core(key)
    spellings = {key.replace(" ", ""), "".join(core), core[0] if core else ""} - {""}
    score = max((fuzz.ratio(label, s) for s in spellings), default=0.0)
    # a label inside a longer name ("registrylabs" in a site's "registry lab inc plant 2"), unless it is generic
    if len(label) >= 6 and name_core(name_key(label)):
        score = max(score, fuzz.partial_ratio(label, key.replace(" ", "")))
    return round(score, 1)


def domain_evidence(*, domain: str, organisation: Organisation) -> dict[str, Any]:
    """How an e-mail domain compares with the organisation's name and its sites' names (best first)."""
    names = [organisation.name, *Site.objects.filter(organisation=organisation).values_list("name", flat=True)]
    names = list(dict.fromkeys(names))[:MAX_NAMES]
    label = _domain_label(domain)
    scored = sorted(((_name_score(label, name), name) for name in names if label), key=lambda s: -s[0])
    return {
        "domain": domain,
        "free_mail": domain in FREE_MAIL,
        "matches": [{"name": name, "score": score} for score, name in scored if score >= DOMAIN_MATCH][:5],
        "closest": [{"name": name, "score": score} for score, name in scored[:3]],
        "names_checked": len(names),
    }


def claim_evidence(*, organisation: Organisation, requester: User, invitations: list[dict[str, Any]]) -> dict[str, Any]:
    """What a curator needs to decide a claim, as of now."""
    emails = list(dict.fromkeys(e for e in [requester.email, *(i.get("email", "") for i in invitations)] if e))
    return {
        "requester": {
            "username": requester.get_username(),
            "name": requester.get_full_name(),
            "email": requester.email,
            "joined": requester.date_joined.isoformat(),
        },
        "domains": [domain_evidence(domain=email_domain(e), organisation=organisation) for e in emails],
        "invitations": invitations,
        "registered": bool(organisation.registrant_duns),
        "sites": Site.objects.filter(organisation=organisation).count(),
    }


@transaction.atomic
def claim_request(
    *, actor: User, organisation: Organisation, message: str, invitations: list[dict[str, Any]]
) -> OrganisationClaim:
    """A guest bidder of ``organisation`` asks to administer it (``invitations``: those it holds, for the evidence)."""
    membership = membership_get(user=actor, organisation=organisation)
    if membership is None or membership.role != Role.GUEST:
        raise NotFound("No such organisation.")
    message = message.strip()
    if not message:
        raise ServiceError("Say who you are at the company: the curator reads it beside the evidence.", field="message")
    if organisation.memberships.exclude(role=Role.GUEST).exists():
        raise Conflict(f"{organisation.name} already has administrators: ask them to add you.")
    try:
        with transaction.atomic():
            claim = OrganisationClaim.objects.create(
                organisation=organisation,
                requester=actor,
                message=message[:2000],
                evidence=claim_evidence(organisation=organisation, requester=actor, invitations=invitations),
            )
    except IntegrityError as exc:
        raise Conflict("Your request is already with a registry curator.") from exc
    audit_record(
        actor=actor,
        organisation=organisation,
        action="organisation_claim.request",
        obj=claim,
        changes={"status": [None, claim.status]},
        reason=message[:2000],
    )
    return claim


def _curator_require(actor: User) -> None:
    if not platform_can(actor, PlatformPermission.CURATE_REGISTRY):
        raise NotPermitted(
            f"Only a registry curator may do this ({PLATFORM_DOING[PlatformPermission.CURATE_REGISTRY]})."
        )


def _decide(*, actor: User, claim: OrganisationClaim, status: str, reason: str) -> OrganisationClaim:
    _curator_require(actor)
    claim = OrganisationClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != ClaimStatus.PENDING:
        raise Conflict(f"This claim was already {claim.status}.")
    if claim.requester_id == actor.pk:
        raise NotPermitted("A curator does not decide their own claim.")
    claim.status, claim.decided_by, claim.decided_at, claim.decision_reason = status, actor, timezone.now(), reason
    claim.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    audit_record(
        actor=actor,
        organisation=claim.organisation,
        action=f"organisation_claim.{'approve' if status == ClaimStatus.APPROVED else 'reject'}",
        obj=claim,
        changes={"status": [ClaimStatus.PENDING, status]},
        reason=reason,
    )
    return claim


@transaction.atomic
def claim_approve(*, actor: User, claim: OrganisationClaim, reason: str = "") -> OrganisationClaim:
    """A registry curator approves: the requester becomes the organisation's administrator."""
    reason = reason.strip() or "The evidence shows the requester works for the company."
    claim = _decide(actor=actor, claim=claim, status=ClaimStatus.APPROVED, reason=reason)
    claimant_make_admin(actor=actor, organisation=claim.organisation, user=claim.requester, reason=reason)
    return claim


@transaction.atomic
def claim_reject(*, actor: User, claim: OrganisationClaim, reason: str) -> OrganisationClaim:
    """A registry curator rejects, saying why (the requester reads it); they stay a guest of their invitations."""
    reason = reason.strip()
    if not reason:
        raise ServiceError("Say why the claim is rejected: the requester reads the reason.", field="reason")
    return _decide(actor=actor, claim=claim, status=ClaimStatus.REJECTED, reason=reason)


# --- reads ------------------------------------------------------------------------------------------------


def claim_list(*, curator: User, status: str = ClaimStatus.PENDING) -> QuerySet[OrganisationClaim]:
    """Claims for a registry curator to decide (``status`` "" for all), oldest pending first."""
    _curator_require(curator)
    claims = OrganisationClaim.objects.select_related("organisation", "requester", "decided_by")
    if status:
        claims = claims.filter(status=status)
    return claims.order_by("created_at", "id") if status == ClaimStatus.PENDING else claims


def claim_get(*, curator: User, claim_id: int) -> OrganisationClaim:
    _curator_require(curator)
    claim = OrganisationClaim.objects.select_related("organisation", "requester").filter(pk=claim_id).first()
    if claim is None:
        raise NotFound("No such claim.")
    return claim


def claim_latest(*, requester: User, organisation: Organisation) -> OrganisationClaim | None:
    """The requester's own latest claim of ``organisation``: what the guest bidder's page shows."""
    return OrganisationClaim.objects.filter(requester=requester, organisation=organisation).first()
