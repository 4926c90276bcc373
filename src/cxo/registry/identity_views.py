"""Registry curators' identity pages: candidate duplicates, merging one organisation into another, splitting sites off.

Only a registry curator reaches them (404 for anyone else, as the claims pages); each page parses the form,
calls one service of :mod:`cxo.registry.services.identity` and redirects to the organisation that results.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from cxo.core.access import AuthedRequest
from cxo.core.errors import NotFound, ServiceError
from cxo.core.models import Membership, Organisation
from cxo.registry.claim_views import _curator
from cxo.registry.duplicates import duplicate_candidates
from cxo.registry.models import Capability, OrganisationMerge, Site
from cxo.registry.services.identity import (
    _organisation_relations,
    organisation_merge,
    organisation_resolve,
    organisation_split,
)

DUPLICATES_SHOWN = 200


class MergeForm(forms.Form):
    into = forms.CharField(max_length=120, label="Merge into (slug, id or registrant DUNS)")
    reason = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SplitForm(forms.Form):
    name = forms.CharField(max_length=255, label="New organisation's name")
    sites = forms.TypedMultipleChoiceField(coerce=int, widget=forms.CheckboxSelectMultiple, label="Sites that move")
    reason = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _organisation(slug: str) -> Organisation:
    org = Organisation.objects.filter(slug=slug).first()
    if org is None or OrganisationMerge.objects.filter(merged=org).exists():
        raise Http404("No such organisation.")
    return org


def _summary(org: Organisation) -> dict[str, object]:
    """What a merge would move, for the curator to check: counts of sites, capabilities, members, tenant data."""
    tenant = sum(m._base_manager.filter(**{f: org}).count() for m, f in _organisation_relations())
    return {
        "organisation": org,
        "sites": list(Site.objects.filter(organisation=org).order_by("country", "name")[:20]),
        "site_count": Site.objects.filter(organisation=org).count(),
        "capabilities": Capability.objects.filter(organisation=org).count(),
        "members": Membership.objects.filter(organisation=org).count(),
        "tenant_rows": tenant,
    }


@login_required
def duplicates(request: AuthedRequest) -> HttpResponse:
    _curator(request)
    pairs = duplicate_candidates(curator=request.user, limit=DUPLICATES_SHOWN)
    return render(request, "registry/duplicates.html", {"pairs": pairs, "limit": DUPLICATES_SHOWN})


@login_required
def organisation_merge_page(request: AuthedRequest, slug: str) -> HttpResponse:
    _curator(request)
    source = _organisation(slug)
    form = MergeForm(request.POST or request.GET or None)
    target = None
    if form.is_valid():
        try:
            target = organisation_resolve(form.cleaned_data["into"])
        except NotFound as exc:
            form.add_error("into", exc.message)
        if target is not None and request.method == "POST":
            try:
                organisation_merge(actor=request.user, source=source, target=target, reason=form.cleaned_data["reason"])
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"{source.name} was merged into {target.name}; its page now redirects here.")
                return redirect("registry:organisation", slug=target.slug)
    context = {
        "form": form,
        "source": _summary(source),
        "target": _summary(target) if target is not None and target.pk != source.pk else None,
    }
    return render(request, "registry/merge.html", context)


@login_required
def organisation_split_page(request: AuthedRequest, slug: str) -> HttpResponse:
    _curator(request)
    org = _organisation(slug)
    sites = list(Site.objects.filter(organisation=org).order_by("country", "name", "pk"))
    form = SplitForm(request.POST or None)
    choice = form.fields["sites"]
    assert isinstance(choice, forms.TypedMultipleChoiceField)
    choice.choices = [(s.pk, f"{s.name} — {s.country or 'no country'}") for s in sites]
    if request.method == "POST" and form.is_valid():
        try:
            new = organisation_split(
                actor=request.user,
                organisation=org,
                site_ids=form.cleaned_data["sites"],
                name=form.cleaned_data["name"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            form.add_error("sites" if exc.field == "sites" else None, exc.message)
        else:
            messages.success(request, f"{len(form.cleaned_data['sites'])} sites of {org.name} now form {new.name}.")
            return redirect("registry:organisation", slug=new.slug)
    return render(request, "registry/split.html", {"form": form, "organisation": org, "sites": sites})
