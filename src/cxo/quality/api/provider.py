"""The provider's quality API: the findings sponsors addressed to it and their CAPAs, its change notifications."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from cxo.core.access import OrgRequest
from cxo.core.errors import NotFound, ServiceError
from cxo.core.roles import Permission
from cxo.quality.api.outputs import notification_out, provider_finding_out, provider_notification_out
from cxo.quality.api.routers import provider_api, provider_only
from cxo.quality.schemas import (
    ERRORS,
    CapaCompletionIn,
    CapaProposalIn,
    ChangeNotificationOut,
    ChangeNotifyIn,
    ProviderFindingOut,
    ProviderNotificationOut,
    required,
)
from cxo.quality.selectors.capas import provider_capa_get, provider_finding_list
from cxo.quality.selectors.changes import provider_notification_get, provider_notification_list, provider_sites
from cxo.quality.services import capa as capa_services
from cxo.quality.services import change as change_services

MANAGE = Permission.MANAGE_QUALITY


@provider_api.get("/quality/findings", response=list[ProviderFindingOut])
def findings(request: OrgRequest, open_only: bool = False) -> list[dict[str, Any]]:
    """The findings sponsors' audits addressed to this provider, each with its CAPA (nothing else of the audit)."""
    provider_only(request)
    return [provider_finding_out(f) for f in provider_finding_list(provider=request.organisation, open_only=open_only)]


def _finding(request: OrgRequest, capa_id: int) -> Any:
    provider_only(request)
    return provider_capa_get(provider=request.organisation, capa_id=capa_id)


@provider_api.get("/quality/findings/{capa_id}", response={200: ProviderFindingOut, 404: ERRORS[404]})
def finding_detail(request: OrgRequest, capa_id: int) -> dict[str, Any]:
    return provider_finding_out(_finding(request, capa_id))


@provider_api.post(
    "/quality/findings/{capa_id}/proposal", permission=MANAGE, response={200: ProviderFindingOut, **ERRORS}
)
def capa_propose(request: OrgRequest, capa_id: int, payload: CapaProposalIn) -> dict[str, Any]:
    """Propose (or, after a return, propose again) the root cause and the corrective and preventive actions."""
    finding = _finding(request, capa_id)
    capa_services.capa_propose(
        actor=request.user,
        capa=finding.capa,
        root_cause=payload.root_cause,
        actions=[capa_services.ActionData(a.kind, a.description, a.due_on, a.owner) for a in payload.actions],
    )
    return provider_finding_out(_finding(request, capa_id))


@provider_api.post(
    "/quality/findings/{capa_id}/actions/{action_id}/completion",
    permission=MANAGE,
    response={200: ProviderFindingOut, **ERRORS},
)
def action_complete(request: OrgRequest, capa_id: int, action_id: int, payload: CapaCompletionIn) -> dict[str, Any]:
    """Record an action as done, with its evidence documents (stored with their SHA-256)."""
    finding = _finding(request, capa_id)
    action = finding.capa.actions.filter(pk=action_id).first()
    if action is None:
        raise NotFound("No such action in this CAPA.")
    documents = []
    for d in payload.documents:
        try:
            content = base64.b64decode(d.content_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ServiceError(f"The document '{d.name}' is not valid base64.", field="documents") from exc
        documents.append(capa_services.EvidenceFile(d.name, content, d.content_type))
    capa_services.capa_action_complete(
        actor=request.user,
        action=action,
        completed_on=required(payload.completed_on, field="completed_on", label="The completion date"),
        note=payload.note,
        documents=documents,
    )
    return provider_finding_out(_finding(request, capa_id))


@provider_api.get("/quality/notifications", response=list[ProviderNotificationOut])
def notifications(request: OrgRequest) -> list[dict[str, Any]]:
    """The provider's change notifications, each with the sponsors' decisions (decision and comment only)."""
    provider_only(request)
    return [provider_notification_out(n) for n in provider_notification_list(provider=request.organisation)]


@provider_api.post("/quality/notifications", permission=MANAGE, response={201: ChangeNotificationOut, **ERRORS})
def notification_create(request: OrgRequest, payload: ChangeNotifyIn) -> tuple[int, dict[str, Any]]:
    """Notify a change at one of the provider's sites: each sponsor with the site on its list gets its own copy."""
    provider_only(request)
    site_id = required(payload.site_id, field="site_id", label="The site")
    site = provider_sites(provider=request.organisation).filter(pk=site_id).first()
    if site is None:
        raise NotFound("No such site of yours.", field="site_id")
    notification = change_services.change_notify(
        actor=request.user,
        provider=request.organisation,
        site=site,
        kind=payload.kind,
        title=payload.title,
        description=payload.description,
        planned_on=required(payload.planned_on, field="planned_on", label="The date the change takes effect"),
    )
    return 201, notification_out(notification)


@provider_api.get("/quality/notifications/{notification_id}", response={200: ProviderNotificationOut, 404: ERRORS[404]})
def notification_detail(request: OrgRequest, notification_id: int) -> dict[str, Any]:
    provider_only(request)
    return provider_notification_out(
        provider_notification_get(provider=request.organisation, notification_id=notification_id)
    )
