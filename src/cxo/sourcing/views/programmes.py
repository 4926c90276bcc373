"""Sponsor pages: the sourcing home, programmes and their needs (each with the providers that match it)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from cxo.core.access import OrgRequest, found, requires
from cxo.core.errors import ServiceError
from cxo.core.models import Organisation
from cxo.core.roles import OrganisationType, Permission
from cxo.core.selectors import member_list
from cxo.sourcing import selectors
from cxo.sourcing.forms import (
    NeedForm,
    ProgrammeForm,
    plain,
    term_code,
)
from cxo.sourcing.models import RfpStatus, Stage
from cxo.sourcing.providers import need_match
from cxo.sourcing.services import programme as programme_services
from cxo.sourcing.views.common import flash_error


def sourcing_home(request: OrgRequest) -> HttpResponse:
    org = request.organisation
    if org.type != OrganisationType.SPONSOR:
        return redirect("sourcing:inbox", org=org.slug)
    return render(
        request,
        "sourcing/sourcing_home.html",
        {
            "organisation": org,
            "programmes": selectors.programme_list(organisation=org),
            "rfps": selectors.rfp_list(organisation=org)[:10],
            "stages": Stage.choices,
        },
    )


def _members(org: Organisation) -> list[tuple[str, str]]:
    return [(str(m.user.pk), m.user.get_full_name() or m.user.username) for m in member_list(organisation=org)]


def _programme_kwargs(form: ProgrammeForm, org: Organisation) -> dict[str, Any]:
    d = form.cleaned_data
    team_ids = {int(x) for x in d.get("team") or []}
    return {
        "name": d["name"],
        "code": d.get("code") or "",
        "stage": d["stage"],
        "indication": d.get("indication") or "",
        "modality": term_code(d.get("modality")),
        "dosage_form": term_code(d.get("dosage_form")),
        "route": term_code(d.get("route")),
        "description": d.get("description") or "",
        "source": d.get("source") or "",
        "team": [m.user for m in member_list(organisation=org) if m.user.pk in team_ids],
    }


@requires(Permission.MANAGE_SOURCING)
def programme_create(request: OrgRequest) -> HttpResponse:
    org = request.organisation
    form = ProgrammeForm(request.POST or None, members=_members(org), initial={"team": [str(request.user.pk)]})
    if request.method == "POST" and form.is_valid():
        try:
            programme = programme_services.programme_create(
                actor=request.user, organisation=org, **_programme_kwargs(form, org)
            )
        except ServiceError as exc:
            flash_error(request, exc, form)
        else:
            messages.success(request, f"Programme {programme} created. Add its first outsourcing need.")
            return redirect("sourcing:programme_detail", org=org.slug, programme_id=programme.pk)
    return render(request, "sourcing/programme_form.html", {"organisation": org, "form": form, "programme": None})


def programme_detail(request: OrgRequest, programme_id: int) -> HttpResponse:
    org = request.organisation
    programme = found(selectors.programme_get, organisation=org, programme_id=programme_id)
    needs = selectors.need_list(organisation=org, programme=programme)
    rfps = selectors.rfp_list(organisation=org).filter(need__programme=programme)
    return render(
        request,
        "sourcing/programme_detail.html",
        {"organisation": org, "programme": programme, "needs": needs, "rfps": rfps},
    )


@requires(Permission.MANAGE_SOURCING)
def programme_edit(request: OrgRequest, programme_id: int) -> HttpResponse:
    org = request.organisation
    programme = found(selectors.programme_get, organisation=org, programme_id=programme_id)
    initial = {
        "name": programme.name,
        "code": programme.code,
        "stage": programme.stage,
        "indication": programme.indication,
        "modality": programme.modality,
        "dosage_form": programme.dosage_form,
        "route": programme.route,
        "description": programme.description,
        "source": programme.source,
        "team": [str(u.pk) for u in programme.team.all()],
    }
    form = ProgrammeForm(request.POST or None, members=_members(org), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            programme_services.programme_update(actor=request.user, programme=programme, **_programme_kwargs(form, org))
        except ServiceError as exc:
            flash_error(request, exc, form)
        else:
            messages.success(request, "Programme saved.")
            return redirect("sourcing:programme_detail", org=org.slug, programme_id=programme.pk)
    return render(request, "sourcing/programme_form.html", {"organisation": org, "form": form, "programme": programme})


def _need_kwargs(form: NeedForm) -> dict[str, Any]:
    d = form.cleaned_data
    return {
        "title": d["title"],
        "criteria": form.criteria(),
        "description": d.get("description") or "",
        "quantity": d.get("quantity"),
        "unit": d.get("unit") or "",
        "start_by": d.get("start_by"),
        "finish_by": d.get("finish_by"),
    }


@requires(Permission.MANAGE_SOURCING)
def need_create(request: OrgRequest, programme_id: int) -> HttpResponse:
    org = request.organisation
    programme = found(selectors.programme_get, organisation=org, programme_id=programme_id)
    initial = NeedForm.initial_for(programme)
    form = NeedForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            need = programme_services.need_create(actor=request.user, programme=programme, **_need_kwargs(form))
        except ServiceError as exc:
            flash_error(request, exc, form)
        else:
            messages.success(request, "Need saved. Here are the providers that match it.")
            return redirect("sourcing:need_detail", org=org.slug, need_id=need.pk)
    return render(
        request, "sourcing/need_form.html", {"organisation": org, "form": form, "programme": programme, "need": None}
    )


@requires(Permission.MANAGE_SOURCING)
def need_edit(request: OrgRequest, need_id: int) -> HttpResponse:
    org = request.organisation
    need = found(selectors.need_get, organisation=org, need_id=need_id)
    c = need.criteria or {}
    initial = {
        "title": need.title,
        "description": need.description,
        "quantity": plain(need.quantity) if need.quantity is not None else None,
        "unit": need.unit,
        "start_by": need.start_by,
        "finish_by": need.finish_by,
        **NeedForm.initial_from(c),
    }
    form = NeedForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            programme_services.need_update(actor=request.user, need=need, **_need_kwargs(form))
        except ServiceError as exc:
            flash_error(request, exc, form)
        else:
            messages.success(request, "Need saved.")
            return redirect("sourcing:need_detail", org=org.slug, need_id=need.pk)
    return render(
        request,
        "sourcing/need_form.html",
        {"organisation": org, "form": form, "programme": need.programme, "need": need},
    )


def need_detail(request: OrgRequest, need_id: int) -> HttpResponse:
    org = request.organisation
    need = found(selectors.need_get, organisation=org, need_id=need_id)
    try:
        matches, match_error = need_match(need=need), ""
    except ServiceError as exc:  # e.g. the need names a term the registry no longer has: say so, keep the page
        matches, match_error = [], f"Matching is unavailable for this need: {exc.message}"
    rfps = selectors.rfp_list(organisation=org, need=need)
    open_rfps = [r for r in rfps if r.status in (RfpStatus.DRAFT, RfpStatus.ISSUED)]
    return render(
        request,
        "sourcing/need_detail.html",
        {
            "organisation": org,
            "need": need,
            "criteria_rows": selectors.need_criteria_rows(need=need),
            "matches": matches,
            "match_error": match_error,
            "rfps": rfps,
            "open_rfps": open_rfps,
        },
    )
