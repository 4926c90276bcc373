"""Questions other apps ask before placing work: is this site approved for this service, is a quality agreement
in force — and the standing matching and sourcing show beside a site or provider (``cxo.core.standing``).

A qualification for a service covers that service and every service under it in the taxonomy: a site approved
for "Drug product manufacture" is approved for "Solid dose"; one approved for "Solid dose" only is not approved
for "Drug product manufacture" as a whole.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cxo.core.models import Organisation
from cxo.core.standing import AwardCheck, Standing
from cxo.quality.models import (
    APPROVED_STATES,
    AgreementVersionStatus,
    AwardRule,
    Qualification,
    QualificationStatus,
    QualityAgreementVersion,
)
from cxo.quality.selectors.oversight import effective_status
from cxo.quality.selectors.policy import policy_get
from cxo.registry.models import Site, Term

S = QualificationStatus
# Which of several qualifications answers for a site: the most favourable state first.
PREFERENCE = [
    S.APPROVED,
    S.CONDITIONAL,
    S.UNDER_REVIEW,
    S.IN_QUALIFICATION,
    S.NOT_STARTED,
    S.EXPIRED,
    S.NOT_APPROVED,
    S.DISQUALIFIED,
]
TONES = {
    S.APPROVED: "ok",
    S.CONDITIONAL: "ok",
    S.IN_QUALIFICATION: "warn",
    S.NOT_STARTED: "warn",
    S.UNDER_REVIEW: "bad",
}


def _covers(qualified: str, requested: str) -> bool:
    return requested == qualified or requested.startswith(qualified + ".")


@dataclass(frozen=True)
class QualificationAnswer:
    """Whether work for ``service`` may be placed at ``site``: ``approved`` (approved or conditionally approved, and
    within its validity), the state as of the day asked, and the qualification that answers (None: not listed)."""

    approved: bool
    status: str
    label: str
    qualification_id: int | None = None
    valid_until: dt.date | None = None
    conditions: str = ""


def _service_codes(services: Sequence[Term | str]) -> list[str]:
    return [s.code if isinstance(s, Term) else s for s in services]


def _answers(
    sponsor: Organisation, site_ids: Sequence[int], codes: Sequence[str], on: dt.date
) -> dict[int, dict[str, Qualification]]:
    """Per site, per requested code, the qualification that answers for it (the most favourable one covering it)."""
    if not codes:
        return {}
    prefixes = Q()
    for code in codes:
        parts = code.split(".")
        prefixes |= Q(service__code__in=[".".join(parts[: i + 1]) for i in range(len(parts))])
    rows = (
        Qualification.objects.for_organisation(sponsor)
        .filter(prefixes, site_id__in=list(site_ids))
        .select_related("service", "site")
    )
    out: dict[int, dict[str, Qualification]] = defaultdict(dict)
    for q in rows:
        for code in codes:
            if not _covers(q.service.code, code):
                continue
            best = out[q.site_id].get(code)
            if best is None or PREFERENCE.index(S(effective_status(q, on))) < PREFERENCE.index(
                S(effective_status(best, on))
            ):
                out[q.site_id][code] = q
    return out


def qualification_status_for(
    *, sponsor: Organisation, site: Site, service: Term | str, on: dt.date | None = None
) -> QualificationAnswer:
    """Is ``site`` approved by ``sponsor`` for ``service`` (a term or its code) on ``on`` (default today)?

    For contracts' work-order activation and sourcing's award. The state is as of ``on``: an approval whose
    validity has ended answers *expired*, even before the watch records it.
    """
    on = on or timezone.localdate()
    [code] = _service_codes([service])
    q = _answers(sponsor, [site.pk], [code], on).get(site.pk, {}).get(code)
    if q is None:
        return QualificationAnswer(
            approved=False, status="none", label=f"{site.name} is not on the approved supplier list for this service"
        )
    status = effective_status(q, on)
    return QualificationAnswer(
        approved=status in APPROVED_STATES,
        status=status,
        label=f"{S(status).label} for {q.service.name}",
        qualification_id=q.pk,
        valid_until=q.valid_until,
        conditions=q.conditions if status == S.CONDITIONAL else "",
    )


def quality_agreement_in_force(
    *, sponsor: Organisation, provider: Organisation, site: Site | None = None, on: dt.date | None = None
) -> QualityAgreementVersion | None:
    """The version of a quality agreement between ``sponsor`` and ``provider`` in force on ``on`` (default today)
    for ``site`` — signed by both, ``effective_on`` ≤ day ≤ ``expires_on``, covering the site (an agreement
    that lists no sites covers all the provider's) — or None."""
    on = on or timezone.localdate()
    versions = (
        QualityAgreementVersion.objects.for_organisation(sponsor)
        .filter(
            agreement__provider=provider,
            status=AgreementVersionStatus.SIGNED,
            effective_on__lte=on,
            expires_on__gte=on,
        )
        .select_related("agreement")
        .order_by("-expires_on", "-pk")
    )
    if site is not None:
        versions = versions.filter(Q(agreement__sites=site) | Q(agreement__sites__isnull=True)).distinct()
    return versions.first()


def _standing(q: Qualification | None, on: dt.date, sponsor: Organisation) -> Standing:
    if q is None:
        return Standing(state="none", label="Not on your approved supplier list", tone="none")
    status = effective_status(q, on)
    issues: tuple[str, ...] = ()
    if status == S.UNDER_REVIEW and q.review_reason:
        issues = (q.review_reason,)
    elif status == S.CONDITIONAL and q.conditions:
        issues = (f"Conditions: {q.conditions}",)
    until = f" until {q.valid_until:%d %b %Y}" if status in APPROVED_STATES and q.valid_until else ""
    return Standing(
        state=status,
        label=f"{S(status).label} for {q.service.name}{until}",
        tone=TONES.get(S(status), "bad"),
        issues=issues,
        url=reverse("quality:qualification_detail", kwargs={"org": sponsor.slug, "qualification_id": q.pk}),
    )


def _worst_of(answers: dict[str, Qualification], codes: Sequence[str], on: dt.date) -> Qualification | None:
    """The qualification that limits a site across several requested services (a missing one limits most)."""
    if any(code not in answers for code in codes):
        return None
    return max((answers[c] for c in codes), key=lambda q: PREFERENCE.index(S(effective_status(q, on))), default=None)


def _keeps_a_list(sponsor: Organisation) -> bool:
    """Whether the sponsor keeps its approved supplier list in CXO (until it does, CXO has no word to give)."""
    return Qualification.objects.for_organisation(sponsor).exists()


class QualitySource:
    """The quality app's answers to ``cxo.core.standing`` (registered in ``QualityConfig.ready``)."""

    def sites(self, sponsor: Organisation, site_ids: Sequence[int], services: Sequence[str]) -> dict[int, Standing]:
        if not _keeps_a_list(sponsor):
            return {}
        on = timezone.localdate()
        answers = _answers(sponsor, site_ids, services, on)
        return {sid: _standing(_worst_of(answers.get(sid, {}), services, on), on, sponsor) for sid in site_ids}

    def providers(
        self, sponsor: Organisation, provider_ids: Sequence[int], services: Sequence[str]
    ) -> dict[int, Standing]:
        if not _keeps_a_list(sponsor):
            return {}
        on = timezone.localdate()
        site_ids = list(
            Site.objects.filter(organisation_id__in=list(provider_ids)).values_list("pk", "organisation_id")
        )
        answers = _answers(sponsor, [sid for sid, _ in site_ids], services, on)
        best: dict[int, Qualification | None] = dict.fromkeys(provider_ids)
        for sid, provider_id in site_ids:
            q = _worst_of(answers.get(sid, {}), services, on)
            current = best[provider_id]
            if q is not None and (
                current is None
                or PREFERENCE.index(S(effective_status(q, on))) < PREFERENCE.index(S(effective_status(current, on)))
            ):
                best[provider_id] = q
        out = {}
        for pid, q in best.items():
            standing = _standing(q, on, sponsor)
            if q is not None:
                standing = Standing(
                    standing.state, f"{q.site.name}: {standing.label}", standing.tone, standing.issues, standing.url
                )
            out[pid] = standing
        return out

    def award(self, sponsor: Organisation, provider: Organisation, services: Sequence[str]) -> AwardCheck:
        # A sponsor that keeps no approved supplier list in CXO is not asked (there is nothing to check against).
        if not services or not _keeps_a_list(sponsor):
            return AwardCheck(ok=True)
        standing = self.providers(sponsor, [provider.pk], services)[provider.pk]
        if standing.state in APPROVED_STATES:
            return AwardCheck(ok=True)
        names = ", ".join(Term.objects.filter(code__in=list(services)).order_by("name").values_list("name", flat=True))
        where = "it is not on your approved supplier list" if standing.state == "none" else standing.label
        message = f"No site of {provider.name} is approved for {names or 'the requested services'} ({where})."
        blocked = policy_get(organisation=sponsor).award_rule == AwardRule.BLOCK
        return AwardCheck(ok=False, message=message, blocked=blocked)
