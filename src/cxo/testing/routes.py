"""How each route is reached in the tenant-isolation walk.

Every URL pattern and every API operation must appear here. ``tenant`` routes belong to the
sponsor of the test world (or, with ``extra``, to its provider): the outsider must get 404, the
owner must get in, and a member whose role lacks the permission the route declares must get 403
(the permission is read from the view or operation, not from this table). ``signed_in``
routes show shared data (the registry, the user's own account): anonymous users are turned
away, signed-in users get in. ``curator`` routes are a registry curator's (a platform role): anonymous users are
turned away, any other signed-in user gets 404, the world's curator gets in. ``public`` routes need no sign-in
(login, password reset). The world's curator and its guest bidder (holding none of its invitations) also try
every tenant route and reach nothing (``cxo.testing.walk.visitors``).
A route missing from this table fails the walk, so a new view cannot slip through unclassified.
"""

from __future__ import annotations

from cxo.testing.quality_routes import QUALITY_API_ROUTES, QUALITY_WEB_ROUTES
from cxo.testing.route_table import PROVIDER_TOKEN, PROVIDER_USER, Route, ids, operations

__all__ = ["API_ROUTES", "SKIPPED_PREFIXES", "WEB_ROUTES", "Route"]

_org = ids()
_slug = ids(slug="slug")
_shortlist = ids(slug="slug", shortlist_id="shortlist")
_SOURCING = {
    "programme_id": "programme",
    "need_id": "need",
    "rfp_id": "rfp",
    "clarification_id": "clarification",
    "proposal_id": "proposal",
}
_sourcing = ids(slug="slug", **_SOURCING)
_CONTRACTS = {
    "work_order_id": "work_order",
    "milestone_id": "milestone",
    "change_order_id": "change_order",
    "invoice_id": "invoice",
    "agreement_id": "master_agreement",
    "document_id": "evidence",
    "programme_id": "programme",
}
_contracts = ids(slug="slug", **_CONTRACTS)
_provider_contracts = ids("provider", slug="slug", **_CONTRACTS)  # steps only the provider takes
_wo = ids(work_order_id="work_order")
_provider_wo = ids("provider", work_order_id="work_order")
_co = ids(change_order_id="change_order")
_invoice = ids(invoice_id="invoice")
_agreement = ids(agreement_id="master_agreement")
_inbox = ids("provider", slug="slug", rfp_id="rfp")
_PROVIDER_TOKEN, _PROVIDER_USER = PROVIDER_TOKEN, PROVIDER_USER


# URL name -> how to reach it. Names come from each app's urls.py.
WEB_ROUTES: dict[str, Route] = {
    # platform
    "core:home": Route("public"),
    "login": Route("public"),
    "logout": Route("public", methods=("POST",)),
    "password_reset": Route("public"),
    "password_reset_done": Route("public"),
    "password_reset_confirm": Route("public", kwargs=lambda w: {"uidb64": "x", "token": "y"}),
    "password_reset_complete": Route("public"),
    "core:invitation_accept": Route("public", kwargs=lambda w: {"token": w.invitation_token}),
    "password_change": Route("signed_in"),
    "password_change_done": Route("signed_in"),
    "core:dashboard": Route("signed_in"),
    "core:tokens": Route("signed_in"),
    "core:token_revoke": Route("tenant", kwargs=lambda w: {"token_id": w.sponsor_token.pk}, methods=("POST",)),
    "core:organisation_home": Route("tenant", kwargs=_org),
    "core:members": Route("tenant", kwargs=_org, methods=("GET", "POST")),
    "core:member_role": Route(
        "tenant", kwargs=lambda w: {"org": w.sponsor.slug, "membership_id": w.teammate_membership.pk}, methods=("POST",)
    ),
    "core:member_remove": Route(
        "tenant", kwargs=lambda w: {"org": w.sponsor.slug, "membership_id": w.teammate_membership.pk}, methods=("POST",)
    ),
    "core:invitation_revoke": Route(
        "tenant", kwargs=lambda w: {"org": w.sponsor.slug, "invitation_id": w.invitation.pk}, methods=("POST",)
    ),
    "core:audit": Route("tenant", kwargs=_org),
    # matching: Find providers and the sponsor's shortlists
    "matching:find": Route("tenant", kwargs=_org),
    "matching:terms": Route("tenant", kwargs=_org),
    "matching:shortlist_list": Route("tenant", kwargs=_org, methods=("GET", "POST")),
    "matching:shortlist_add": Route("tenant", kwargs=_org, methods=("POST",)),
    "matching:shortlist_detail": Route(
        "tenant", kwargs=lambda w: {"org": w.sponsor.slug, "shortlist_id": w.shortlist.pk}
    ),
    "matching:shortlist_rename": Route(
        "tenant", kwargs=lambda w: {"org": w.sponsor.slug, "shortlist_id": w.shortlist.pk}, methods=("POST",)
    ),
    "matching:shortlist_delete": Route(
        "tenant", kwargs=lambda w: {"org": w.sponsor.slug, "shortlist_id": w.shortlist.pk}, methods=("POST",)
    ),
    "matching:shortlist_entry_remove": Route(
        "tenant",
        kwargs=lambda w: {"org": w.sponsor.slug, "shortlist_id": w.shortlist.pk, "entry_id": w.shortlist_entry.pk},
        methods=("POST",),
    ),
    # registry: public to every signed-in user
    "registry:directory": Route("signed_in"),
    "registry:organisations": Route("signed_in"),
    "registry:organisation": Route("signed_in", kwargs=lambda w: {"slug": w.registry_organisation.slug}),
    "registry:site": Route("signed_in", kwargs=lambda w: {"site_id": w.registry_site.pk}),
    "registry:evidence": Route("signed_in", kwargs=lambda w: {"capability_id": w.registry_capability.pk}),
    "registry:stats": Route("signed_in"),
    "registry:imports": Route("signed_in"),
    "registry:claims": Route("curator"),
    "registry:claim": Route("curator", kwargs=lambda w: {"claim_id": w.claim.pk}, methods=("GET", "POST")),
    # sourcing, sponsor side: the sponsor's programme, need, RFPs, questions, proposals, documents
    "sourcing:home": Route("tenant", kwargs=_org),
    "sourcing:programme_create": Route("tenant", kwargs=_org, methods=("GET", "POST")),
    "sourcing:programme_detail": Route(
        "tenant", kwargs=lambda w: {"org": w.sponsor.slug, "programme_id": w.programme.pk}
    ),
    "sourcing:programme_edit": Route(
        "tenant", kwargs=lambda w: {"org": w.sponsor.slug, "programme_id": w.programme.pk}, methods=("GET", "POST")
    ),
    "sourcing:need_create": Route(
        "tenant", kwargs=lambda w: {"org": w.sponsor.slug, "programme_id": w.programme.pk}, methods=("GET", "POST")
    ),
    "sourcing:need_detail": Route("tenant", kwargs=lambda w: {"org": w.sponsor.slug, "need_id": w.need.pk}),
    "sourcing:need_edit": Route(
        "tenant", kwargs=lambda w: {"org": w.sponsor.slug, "need_id": w.need.pk}, methods=("GET", "POST")
    ),
    "sourcing:rfp_create": Route(
        "tenant", kwargs=lambda w: {"org": w.sponsor.slug, "need_id": w.need.pk}, methods=("POST",)
    ),
    "sourcing:rfp_list": Route("tenant", kwargs=_org),
    "sourcing:rfp_detail": Route("tenant", kwargs=lambda w: {"org": w.sponsor.slug, "rfp_id": w.rfp.pk}),
    "sourcing:rfp_edit": Route(
        "tenant", kwargs=lambda w: {"org": w.sponsor.slug, "rfp_id": w.draft_rfp.pk}, methods=("GET", "POST")
    ),
    "sourcing:rfp_invite": Route(
        "tenant", kwargs=lambda w: {"org": w.sponsor.slug, "rfp_id": w.rfp.pk}, methods=("GET", "POST")
    ),
    "sourcing:rfp_document_add": Route(
        "tenant", kwargs=lambda w: {"org": w.sponsor.slug, "rfp_id": w.rfp.pk}, methods=("POST",)
    ),
    "sourcing:rfp_issue": Route(
        "tenant", kwargs=lambda w: {"org": w.sponsor.slug, "rfp_id": w.draft_rfp.pk}, methods=("POST",)
    ),
    "sourcing:rfp_close": Route(
        "tenant", kwargs=lambda w: {"org": w.sponsor.slug, "rfp_id": w.rfp.pk}, methods=("POST",)
    ),
    "sourcing:rfp_cancel": Route(
        "tenant", kwargs=lambda w: {"org": w.sponsor.slug, "rfp_id": w.rfp.pk}, methods=("POST",)
    ),
    "sourcing:rfp_compare": Route("tenant", kwargs=lambda w: {"org": w.sponsor.slug, "rfp_id": w.rfp.pk}),
    "sourcing:rfp_compare_xlsx": Route("tenant", kwargs=lambda w: {"org": w.sponsor.slug, "rfp_id": w.rfp.pk}),
    "sourcing:rfp_compare_pdf": Route("tenant", kwargs=lambda w: {"org": w.sponsor.slug, "rfp_id": w.rfp.pk}),
    "sourcing:rfp_award": Route(
        "tenant", kwargs=lambda w: {"org": w.sponsor.slug, "rfp_id": w.rfp.pk}, methods=("GET", "POST")
    ),
    "sourcing:clarification_answer": Route(
        "tenant", kwargs=lambda w: {"org": w.sponsor.slug, "clarification_id": w.clarification.pk}, methods=("POST",)
    ),
    "sourcing:proposal_detail": Route("tenant", kwargs=lambda w: {"org": w.sponsor.slug, "proposal_id": w.proposal.pk}),
    "sourcing:proposal_score": Route(
        "tenant", kwargs=lambda w: {"org": w.sponsor.slug, "proposal_id": w.proposal.pk}, methods=("GET", "POST")
    ),
    "sourcing:document": Route("tenant", kwargs=lambda w: {"org": w.sponsor.slug, "document_id": w.rfp_document.pk}),
    # contracts: the sponsor's work orders, agreements and money; steps the provider takes are walked on its side
    "contracts:work_order_list": Route("tenant", kwargs=_org),
    "contracts:work_order_detail": Route("tenant", kwargs=_wo),
    "contracts:work_order_edit": Route("tenant", kwargs=_wo, methods=("GET", "POST")),
    "contracts:work_order_pdf": Route("tenant", kwargs=_wo),
    "contracts:work_order_send": Route("tenant", kwargs=_wo, methods=("POST",)),
    "contracts:work_order_return": Route("tenant", kwargs=_provider_wo, methods=("POST",), extra=_PROVIDER_USER),
    "contracts:work_order_sign": Route("tenant", kwargs=_wo, methods=("POST",)),
    "contracts:work_order_activate": Route("tenant", kwargs=_wo, methods=("POST",)),
    "contracts:work_order_complete": Route("tenant", kwargs=_wo, methods=("POST",)),
    "contracts:work_order_terminate": Route("tenant", kwargs=_wo, methods=("POST",)),
    "contracts:work_order_cancel": Route("tenant", kwargs=_wo, methods=("POST",)),
    "contracts:change_order_new": Route("tenant", kwargs=_wo, methods=("GET", "POST")),
    "contracts:invoice_new": Route("tenant", kwargs=_provider_wo, methods=("GET", "POST"), extra=_PROVIDER_USER),
    "contracts:milestone_report": Route(
        "tenant",
        kwargs=lambda w: {"org": w.provider.slug, "milestone_id": w.milestone.pk},
        methods=("POST",),
        extra=_PROVIDER_USER,
    ),
    "contracts:milestone_accept": Route(
        "tenant", kwargs=lambda w: {**_org(w), "milestone_id": w.milestone.pk}, methods=("POST",)
    ),
    "contracts:milestone_reject": Route(
        "tenant", kwargs=lambda w: {**_org(w), "milestone_id": w.milestone.pk}, methods=("POST",)
    ),
    "contracts:change_order_detail": Route("tenant", kwargs=_co),
    "contracts:change_order_sign": Route("tenant", kwargs=_co, methods=("POST",)),
    "contracts:change_order_reject": Route("tenant", kwargs=_co, methods=("POST",)),
    "contracts:change_order_withdraw": Route("tenant", kwargs=_co, methods=("POST",)),
    "contracts:invoice_approve": Route("tenant", kwargs=_invoice, methods=("POST",)),
    "contracts:invoice_dispute": Route("tenant", kwargs=_invoice, methods=("POST",)),
    "contracts:invoice_pay": Route("tenant", kwargs=_invoice, methods=("POST",)),
    "contracts:invoice_resubmit": Route(
        "tenant",
        kwargs=lambda w: {"org": w.provider.slug, "invoice_id": w.invoice.pk},
        methods=("POST",),
        extra=_PROVIDER_USER,
    ),
    "contracts:invoice_withdraw": Route(
        "tenant",
        kwargs=lambda w: {"org": w.provider.slug, "invoice_id": w.invoice.pk},
        methods=("POST",),
        extra=_PROVIDER_USER,
    ),
    "contracts:contract_document": Route("tenant", kwargs=lambda w: {**_org(w), "document_id": w.evidence.pk}),
    "contracts:agreement_list": Route("tenant", kwargs=_org, methods=("GET", "POST")),
    "contracts:agreement_detail": Route("tenant", kwargs=_agreement),
    "contracts:agreement_document_add": Route("tenant", kwargs=_agreement, methods=("POST",)),
    "contracts:agreement_send": Route("tenant", kwargs=_agreement, methods=("POST",)),
    "contracts:agreement_sign": Route("tenant", kwargs=_agreement, methods=("POST",)),
    "contracts:agreement_terminate": Route("tenant", kwargs=_agreement, methods=("POST",)),
    "contracts:contract_settings": Route("tenant", kwargs=_org, methods=("GET", "POST")),
    "contracts:money": Route("tenant", kwargs=_org),
    "contracts:money_xlsx": Route("tenant", kwargs=_org),
    "contracts:programme_execution": Route("tenant", kwargs=lambda w: {**_org(w), "programme_id": w.programme.pk}),
    # sourcing, provider side: the invited provider's inbox (its owner is the provider's user)
    "sourcing:inbox": Route("tenant", kwargs=lambda w: {"org": w.provider.slug}, extra={"owner": "provider_user"}),
    "sourcing:inbox_rfp": Route(
        "tenant", kwargs=lambda w: {"org": w.provider.slug, "rfp_id": w.rfp.pk}, extra={"owner": "provider_user"}
    ),
    "sourcing:inbox_accept": Route(
        "tenant",
        kwargs=lambda w: {"org": w.provider.slug, "rfp_id": w.rfp.pk},
        methods=("POST",),
        extra={"owner": "provider_user"},
    ),
    "sourcing:inbox_decline": Route(
        "tenant",
        kwargs=lambda w: {"org": w.provider.slug, "rfp_id": w.rfp.pk},
        methods=("POST",),
        extra={"owner": "provider_user"},
    ),
    "sourcing:inbox_ask": Route(
        "tenant",
        kwargs=lambda w: {"org": w.provider.slug, "rfp_id": w.rfp.pk},
        methods=("POST",),
        extra={"owner": "provider_user"},
    ),
    "sourcing:inbox_proposal": Route(
        "tenant",
        kwargs=lambda w: {"org": w.provider.slug, "rfp_id": w.rfp.pk},
        methods=("GET", "POST"),
        extra={"owner": "provider_user"},
    ),
    # a guest bidder asks to administer the provider (refused here: the world's provider has an administrator)
    "sourcing:inbox_claim_request": Route(
        "tenant", kwargs=lambda w: {"org": w.provider.slug}, methods=("POST",), extra={"owner": "guest_user"}
    ),
    "sourcing:inbox_document": Route(
        "tenant",
        kwargs=lambda w: {"org": w.provider.slug, "document_id": w.rfp_document.pk},
        extra={"owner": "provider_user"},
    ),
    "sourcing:rfp_invitation_claim": Route("public", kwargs=lambda w: {"token": "not-a-token"}),
    "core:notifications": Route("signed_in", methods=("GET", "POST")),
    # one of the sponsor user's own notifications: the outsider gets 404, its owner is sent on to what it is about
    "core:notification_open": Route("tenant", kwargs=lambda w: {"notification_id": w.sponsor_notification.pk}),
}

# "METHOD /path/with/{params}" (relative to /api/v1) -> how to reach it.
# The API operations of contracts and of the provider's RFP inbox, by how the walk reaches them.
_CONTRACT_LISTS = [
    "GET /work-orders",
    "GET /agreements",
    "POST /agreements",
    "GET /contract-settings",
    "PUT /contract-settings",
    "GET /money",
    "GET /accruals",
]

_CONTRACT_RECORDS = [
    "GET /work-orders/{work_order_id}",
    "PUT /work-orders/{work_order_id}",
    "POST /work-orders/{work_order_id}/send",
    "POST /work-orders/{work_order_id}/sign",
    "POST /work-orders/{work_order_id}/activate",
    "POST /work-orders/{work_order_id}/complete",
    "POST /work-orders/{work_order_id}/terminate",
    "POST /work-orders/{work_order_id}/cancel",
    "POST /milestones/{milestone_id}/accept",
    "POST /milestones/{milestone_id}/reject",
    "GET /change-orders/{change_order_id}",
    "POST /work-orders/{work_order_id}/change-orders",
    "POST /change-orders/{change_order_id}/sign",
    "POST /change-orders/{change_order_id}/reject",
    "POST /change-orders/{change_order_id}/withdraw",
    "GET /invoices/{invoice_id}",
    "POST /invoices/{invoice_id}/approve",
    "POST /invoices/{invoice_id}/dispute",
    "POST /invoices/{invoice_id}/pay",
    "GET /contract-documents/{document_id}",
    "GET /agreements/{agreement_id}",
    "POST /agreements/{agreement_id}/documents",
    "POST /agreements/{agreement_id}/send",
    "POST /agreements/{agreement_id}/sign",
    "POST /agreements/{agreement_id}/terminate",
    "GET /programmes/{programme_id}/execution",
]

_CONTRACT_PROVIDER_STEPS = [
    "POST /work-orders/{work_order_id}/return",
    "POST /milestones/{milestone_id}/report",
    "POST /work-orders/{work_order_id}/invoices",
    "POST /invoices/{invoice_id}/resubmit",
    "POST /invoices/{invoice_id}/withdraw",
]

_INBOX = [
    "GET /inbox",
    "GET /inbox/{rfp_id}",
    "POST /inbox/{rfp_id}/accept",
    "POST /inbox/{rfp_id}/decline",
    "GET /inbox/{rfp_id}/questions",
    "POST /inbox/{rfp_id}/questions",
    "GET /inbox/{rfp_id}/proposal",
    "POST /inbox/{rfp_id}/proposal",
]


API_ROUTES: dict[str, Route] = {
    "POST /auth/token": Route("public"),
    "GET /auth/tokens": Route("signed_in"),
    # A user's own token: another user (the outsider) gets 404 for it.
    "DELETE /auth/tokens/{token_id}": Route("tenant", kwargs=lambda w: {"token_id": w.sponsor_token.pk}),
    "GET /me": Route("signed_in"),
    "GET /organisations/{slug}/audit": Route("tenant", kwargs=lambda w: {"slug": w.sponsor.slug}),
    # matching: the public registry for any signed-in user; shortlists are the sponsor's
    "POST /match": Route("signed_in"),
    "GET /match/terms": Route("signed_in"),
    "GET /organisations/{slug}/shortlists": Route("tenant", kwargs=lambda w: {"slug": w.sponsor.slug}),
    "POST /organisations/{slug}/shortlists": Route("tenant", kwargs=lambda w: {"slug": w.sponsor.slug}),
    "GET /organisations/{slug}/shortlists/{shortlist_id}": Route("tenant", kwargs=_shortlist),
    "PATCH /organisations/{slug}/shortlists/{shortlist_id}": Route("tenant", kwargs=_shortlist),
    "DELETE /organisations/{slug}/shortlists/{shortlist_id}": Route("tenant", kwargs=_shortlist),
    "POST /organisations/{slug}/shortlists/{shortlist_id}/entries": Route("tenant", kwargs=_shortlist),
    "DELETE /organisations/{slug}/shortlists/{shortlist_id}/entries/{entry_id}": Route(
        "tenant", kwargs=lambda w: {**_shortlist(w), "entry_id": w.shortlist_entry.pk}
    ),
    # registry: public to every signed-in user
    "GET /registry/sites": Route("signed_in"),
    "GET /registry/organisations": Route("signed_in"),
    "GET /registry/sites/{duns_or_id}": Route("signed_in", kwargs=lambda w: {"duns_or_id": w.registry_site.duns}),
    "GET /registry/sites/{duns_or_id}/compliance": Route(
        "signed_in", kwargs=lambda w: {"duns_or_id": w.registry_site.duns}
    ),
    "GET /registry/organisations/{id_or_slug}": Route(
        "signed_in", kwargs=lambda w: {"id_or_slug": w.registry_organisation.slug}
    ),
    "GET /registry/capabilities/{capability_id}/evidence": Route(
        "signed_in", kwargs=lambda w: {"capability_id": w.registry_capability.pk}
    ),
    "GET /registry/taxonomy": Route("signed_in"),
    "GET /registry/imports": Route("signed_in"),
    # sourcing API, sponsor side
    "GET /organisations/{slug}/programmes": Route("tenant", kwargs=_slug),
    "POST /organisations/{slug}/programmes": Route("tenant", kwargs=_slug),
    "GET /organisations/{slug}/programmes/{programme_id}": Route("tenant", kwargs=_sourcing),
    "PUT /organisations/{slug}/programmes/{programme_id}": Route("tenant", kwargs=_sourcing),
    "GET /organisations/{slug}/programmes/{programme_id}/needs": Route("tenant", kwargs=_sourcing),
    "POST /organisations/{slug}/programmes/{programme_id}/needs": Route("tenant", kwargs=_sourcing),
    "GET /organisations/{slug}/needs/{need_id}": Route("tenant", kwargs=_sourcing),
    "PUT /organisations/{slug}/needs/{need_id}": Route("tenant", kwargs=_sourcing),
    "GET /organisations/{slug}/needs/{need_id}/matches": Route("tenant", kwargs=_sourcing),
    "GET /organisations/{slug}/rfps": Route("tenant", kwargs=_slug),
    "POST /organisations/{slug}/rfps": Route("tenant", kwargs=_slug),
    "GET /organisations/{slug}/rfps/{rfp_id}": Route("tenant", kwargs=_sourcing),
    "PUT /organisations/{slug}/rfps/{rfp_id}": Route("tenant", kwargs=_sourcing),
    "POST /organisations/{slug}/rfps/{rfp_id}/issue": Route("tenant", kwargs=_sourcing),
    "POST /organisations/{slug}/rfps/{rfp_id}/close": Route("tenant", kwargs=_sourcing),
    "POST /organisations/{slug}/rfps/{rfp_id}/cancel": Route("tenant", kwargs=_sourcing),
    "GET /organisations/{slug}/rfps/{rfp_id}/invitations": Route("tenant", kwargs=_sourcing),
    "POST /organisations/{slug}/rfps/{rfp_id}/invitations": Route("tenant", kwargs=_sourcing),
    "GET /organisations/{slug}/rfps/{rfp_id}/questions": Route("tenant", kwargs=_sourcing),
    "POST /organisations/{slug}/questions/{clarification_id}/answer": Route("tenant", kwargs=_sourcing),
    "GET /organisations/{slug}/rfps/{rfp_id}/proposals": Route("tenant", kwargs=_sourcing),
    "GET /organisations/{slug}/proposals/{proposal_id}": Route("tenant", kwargs=_sourcing),
    "GET /organisations/{slug}/rfps/{rfp_id}/comparison": Route("tenant", kwargs=_sourcing),
    "PUT /organisations/{slug}/proposals/{proposal_id}/scores": Route("tenant", kwargs=_sourcing),
    "GET /organisations/{slug}/rfps/{rfp_id}/evaluation": Route("tenant", kwargs=_sourcing),
    "POST /organisations/{slug}/rfps/{rfp_id}/award": Route("tenant", kwargs=_sourcing),
    # contracts API: the work orders the sponsor placed (its provider sees them too); the invited provider's inbox
    "GET /organisations/{slug}/work-orders/{work_order_id}/baselines/{number}": Route(
        "tenant", kwargs=lambda w: {**_contracts(w), "number": 0}
    ),
    **operations("/organisations/{slug}", _CONTRACT_LISTS, Route("tenant", kwargs=_slug)),
    **operations("/organisations/{slug}", _CONTRACT_RECORDS, Route("tenant", kwargs=_contracts)),
    **operations(
        "/organisations/{slug}",
        _CONTRACT_PROVIDER_STEPS,
        Route("tenant", kwargs=_provider_contracts, extra=_PROVIDER_TOKEN),
    ),
    **operations("/organisations/{slug}", _INBOX, Route("tenant", kwargs=_inbox, extra=_PROVIDER_TOKEN)),
}

# URL prefixes the walk leaves to their own guards: Django's admin (staff only), the API (walked
# operation by operation instead), and static files.
SKIPPED_PREFIXES = ("admin/", "api/v1/", "static/")

WEB_ROUTES.update(QUALITY_WEB_ROUTES)
API_ROUTES.update(QUALITY_API_ROUTES)
