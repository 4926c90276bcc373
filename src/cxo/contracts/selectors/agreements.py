"""Master agreements and the sponsor's contract policy: reads."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from cxo.contracts.models import AgreementStatus, ContractPolicy, MasterAgreement, WorkOrder
from cxo.contracts.states import AGREEMENT, Side
from cxo.core.errors import NotFound
from cxo.core.models import Membership, Organisation
from cxo.core.selectors import membership_can
from cxo.sourcing.models import RfpInvitation


def agreement_list(*, organisation: Organisation, provider_id: int | None = None) -> QuerySet[MasterAgreement]:
    """The agreements the organisation is a party to (a sponsor's drafts are its own), by provider, newest first."""
    qs = MasterAgreement.objects.for_party(organisation).select_related(
        "organisation", "provider", "provider_signature", "sponsor_signature"
    )
    if provider_id is not None:
        qs = qs.filter(provider_id=provider_id)
    return qs.order_by("provider__name", "-effective_date", "-id")


def agreement_get(*, organisation: Organisation, agreement_id: int) -> MasterAgreement:
    """One agreement with its document versions."""
    agreement = agreement_list(organisation=organisation).prefetch_related("documents").filter(pk=agreement_id).first()
    if agreement is None:
        raise NotFound("No such master agreement.")
    return agreement


def agreements_in_force(*, sponsor: Organisation, provider: Organisation) -> list[MasterAgreement]:
    """The sponsor's agreements with ``provider`` that are signed and in force today."""
    today = timezone.localdate()
    qs = MasterAgreement.objects.for_organisation(sponsor).filter(provider=provider, status=AgreementStatus.SIGNED)
    return [a for a in qs.order_by("-effective_date") if a.in_force_on(today)]


def contract_policy_get(*, organisation: Organisation) -> ContractPolicy:
    """The sponsor's contract settings (the defaults, unsaved, until it changes them)."""
    return ContractPolicy.objects.for_organisation(organisation).first() or ContractPolicy(organisation=organisation)


def provider_choices(*, sponsor: Organisation) -> list[Organisation]:
    """The providers a sponsor deals with: those it invited to an RFP or has a work order with."""
    invited = RfpInvitation.objects.for_organisation(sponsor).values("provider_id")
    ordered = WorkOrder.objects.for_organisation(sponsor).values("provider_id")
    return list(Organisation.objects.filter(Q(pk__in=invited) | Q(pk__in=ordered)).order_by("name"))


def agreement_providers(*, sponsor: Organisation) -> list[tuple[int, str]]:
    return [(p.pk, p.name) for p in provider_choices(sponsor=sponsor)]


def agreement_actions(*, agreement: MasterAgreement, membership: Membership) -> list[str]:
    """The agreement steps the viewer's side and role may take now ("sign" for whichever side signs next)."""
    side: Side = "sponsor" if membership.organisation_id == agreement.organisation_id else "provider"
    verbs = AGREEMENT.actions(
        agreement, side=side, allows=lambda p: membership_can(membership=membership, permission=p)
    )
    return ["sign" if v.endswith("_sign") else v for v in verbs]
