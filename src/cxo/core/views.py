"""Platform pages: dashboard, members and invitations, API tokens, audit trail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_htmx.http import push_url

from cxo.core import selectors, services
from cxo.core.access import AuthedRequest, OrgRequest, found, requires
from cxo.core.clients import client_address
from cxo.core.demo import DEMO_PASSWORD, demo_logins_shown
from cxo.core.errors import ServiceError
from cxo.core.forms import AuditFilterForm, InviteForm, RoleForm, SignupForm, TokenForm
from cxo.core.home import home_links_for, home_sections_fill
from cxo.core.notifications import notification_get, notification_list, notification_mark_read, notification_unread
from cxo.core.ratelimit import rate_limit_wait
from cxo.core.roles import Permission
from cxo.core.steps import post_step
from cxo.core.text import with_full_stop


class LoginView(auth_views.LoginView):
    """Django's login page; in development it also lists the demo logins once `cxo demo` has loaded them."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        return {**context, "demo_logins": demo_logins_shown(), "demo_password": DEMO_PASSWORD}


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, with its e-mails limited per address asked for and per client.

    Over either limit no e-mail is sent, and the answer is the same "check your e-mail" page, so
    neither the limit nor whether the address has an account shows.
    """

    def form_valid(self, form: Any) -> HttpResponse:
        email = str(form.cleaned_data["email"]).strip().lower()
        # Both are counted on every request, so one cannot be spent while the other is full.
        waits = [
            rate_limit_wait(scope="password_reset_address", key=email),
            rate_limit_wait(scope="password_reset_client", key=client_address(self.request)),
        ]
        if any(w is not None for w in waits):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """django-axes' answer to a locked-out sign-in (AXES_LOCKOUT_CALLABLE).

    The API's token endpoint answers a lockout itself (429 with a JSON message), so its response is
    kept; people signing in on a page get the lockout page.
    """
    if request.path_info.startswith("/api/"):
        if original_response is not None and original_response.status_code == 429:
            return original_response
        return JsonResponse({"detail": "Too many failed attempts. Try again later."}, status=429)
    return render(request, "registration/locked_out.html", status=429)


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    return redirect("login")


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    """Home: for each of the user's organisations, what is waiting there (the apps' sections), and what is unread."""
    memberships = list(selectors.membership_list_for_user(user=request.user))
    homes = [(m, home_sections_fill(membership=m), home_links_for(membership=m)) for m in memberships]
    unread = list(notification_unread(user=request.user)[:5])
    return render(request, "core/home.html", {"homes": homes, "unread": unread})


def organisation_home(request: OrgRequest) -> HttpResponse:
    organisation = request.organisation
    return render(
        request,
        "core/organisation_home.html",
        {"organisation": organisation, "members": selectors.member_list(organisation=organisation)},
    )


@requires(Permission.MANAGE_MEMBERS)
def members(request: OrgRequest) -> HttpResponse:
    organisation = request.organisation
    form = InviteForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _ = services.invitation_create(
                actor=request.user,
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("core:members", org=organisation.slug)
    rows = [
        (m, RoleForm(organisation=organisation, initial={"role": m.role}, prefix=f"m{m.pk}"))
        for m in selectors.member_list(organisation=organisation)
    ]
    return render(
        request,
        "core/members.html",
        {
            "organisation": organisation,
            "rows": rows,
            "invitations": selectors.invitation_list_open(organisation=organisation),
            "form": form,
        },
    )


def _members_page(request: OrgRequest) -> str:
    return reverse("core:members", kwargs={"org": request.organisation.slug})


@require_POST
@requires(Permission.MANAGE_MEMBERS)
def member_role(request: OrgRequest, membership_id: int) -> HttpResponse:
    organisation = request.organisation
    membership = found(selectors.membership_get_by_id, organisation=organisation, membership_id=membership_id)
    form = RoleForm(request.POST, organisation=organisation, prefix=f"m{membership.pk}")
    return post_step(
        request,
        lambda: services.membership_change_role(
            actor=request.user, membership=membership, role=form.cleaned_data["role"]
        ),
        form=form,
        invalid="Choose one of the roles offered.",
        done=lambda changed: f"{changed.user.get_username()} is now {changed.get_role_display()}.",
        back=_members_page(request),
    )


@require_POST
@requires(Permission.MANAGE_MEMBERS)
def member_remove(request: OrgRequest, membership_id: int) -> HttpResponse:
    organisation = request.organisation
    membership = found(selectors.membership_get_by_id, organisation=organisation, membership_id=membership_id)
    return post_step(
        request,
        lambda: services.membership_remove(actor=request.user, membership=membership),
        done=f"{membership.user.get_username()} was removed.",
        back=_members_page(request),
    )


@require_POST
@requires(Permission.MANAGE_MEMBERS)
def invitation_revoke(request: OrgRequest, invitation_id: int) -> HttpResponse:
    organisation = request.organisation
    invitation = found(selectors.invitation_get, organisation=organisation, invitation_id=invitation_id)
    return post_step(
        request,
        lambda: services.invitation_revoke(actor=request.user, invitation=invitation),
        done=f"Invitation of {invitation.email} revoked.",
        back=_members_page(request),
    )


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation: a signed-in user joins; a newcomer registers first."""
    try:
        invitation = services.invitation_by_token(token=token)
    except ServiceError as exc:
        raise Http404(exc.message) from exc
    signup = None
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.invitation_accept(token=token, user=request.user)
            except ServiceError as exc:
                messages.error(request, exc.message)
                return redirect("core:dashboard")
            messages.success(request, with_full_stop(f"You joined {invitation.organisation.name}"))
            return redirect("core:organisation_home", org=invitation.organisation.slug)
    else:
        signup = SignupForm(request.POST or None, initial={"email": invitation.email})
        if request.method == "POST" and signup.is_valid():
            try:
                membership = services.invitation_accept_signup(token=token, signup=signup.signup_data())
            except ServiceError as exc:
                messages.error(request, exc.message)
                return redirect("login")
            user = membership.user
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, with_full_stop(f"Welcome to {invitation.organisation.name}"))
            return redirect("core:organisation_home", org=invitation.organisation.slug)
    return render(request, "core/invitation_accept.html", {"invitation": invitation, "signup": signup})


@login_required
def tokens(request: AuthedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        _, new_secret = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    return render(
        request,
        "core/tokens.html",
        {
            "tokens": selectors.api_token_list(user=request.user),
            "form": form,
            "new_secret": new_secret,
            "token_days": settings.CXO_API_TOKEN_DAYS,
        },
    )


@require_POST
@login_required
def token_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = found(selectors.api_token_get, user=request.user, token_id=token_id)
    services.api_token_revoke(user=request.user, token=token)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("core:tokens")


@requires(read=Permission.VIEW_AUDIT)
def audit(request: OrgRequest) -> HttpResponse:
    organisation = request.organisation
    form = AuditFilterForm(request.GET or None, facets=selectors.audit_facets(organisation=organisation))
    form.is_valid()  # filter by the fields that are valid; the form shows the others' errors
    filters = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v}
    events = selectors.audit_event_list(organisation=organisation, **filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    # The filters as a query string without blanks or page, for the pagination links and the address bar.
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        if key != "page" and (kept := [v for v in values if v]):
            query.setlist(key, kept)
    context = {"organisation": organisation, "form": form, "page": page, "query": query.urlencode()}
    if request.htmx:
        response = render(request, "core/_audit_rows.html", context)
        return push_url(response, f"{request.path}?{query.urlencode()}" if query else request.path)
    return render(request, "core/audit.html", context)


@login_required
def notification_open(request: AuthedRequest, notification_id: int) -> HttpResponse:
    """Follow a notification to what it is about; it counts as read."""
    note = found(notification_get, user=request.user, notification_id=notification_id)
    notification_mark_read(user=request.user, notification=note)
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        return redirect(note.url)
    return redirect("core:notifications")


@login_required
def notifications(request: AuthedRequest) -> HttpResponse:
    notes = list(notification_list(user=request.user)[:100])
    if request.method == "POST":
        notification_mark_read(user=request.user)
        return redirect("core:notifications")
    return render(request, "core/notifications.html", {"notes": notes})
