"""Demo tenants: a sponsor with a teammate, a provider, an outsider, and a registry curator (a platform role, in no
organisation). Loading twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from cxo.core.models import Membership, Organisation, User
from cxo.core.roles import OrganisationType, PlatformRole
from cxo.core.services import membership_add, organisation_create, platform_role_set

DEMO_PASSWORD = "cxo-demo-2026"
DEMO_EMAIL_DOMAIN = "demo.cxo.localhost"  # every demo user's address is <username>@ this; the login page lists them


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    org_slug: str
    role: str
    what: str


DEMO_ORGANISATIONS: list[tuple[str, str, str]] = [
    ("demo-sponsor", "Helixa Therapeutics (demo sponsor)", OrganisationType.SPONSOR),
    ("demo-provider", "Northbridge CDMO (demo provider)", OrganisationType.PROVIDER),
    ("demo-outsider", "Quillon Pharma (demo outsider)", OrganisationType.SPONSOR),
]

DEMO_USERS: list[DemoUser] = [
    DemoUser("sponsor", "Sam", "Okafor", "demo-sponsor", "admin", "sponsor administrator and sourcing lead"),
    DemoUser("teammate", "Tara", "Lindqvist", "demo-sponsor", "quality", "sponsor quality assurance"),
    DemoUser("provider", "Priya", "Raman", "demo-provider", "admin", "provider administrator and business development"),
    DemoUser(
        "outsider", "Oscar", "Brandt", "demo-outsider", "admin", "another sponsor, who must see nothing of the first"
    ),
    # no organisation: the role is a platform role (cxo.core.roles.PlatformRole)
    DemoUser(
        "curator",
        "Cora",
        "Vance",
        "",
        PlatformRole.REGISTRY_CURATOR,
        "registry curator: decides claims of registry companies",
    ),
]


@transaction.atomic
def demo_tenants_load() -> list[DemoUser]:
    """Create the demo organisations and users if missing; leave existing ones alone."""
    orgs: dict[str, Organisation] = {}
    for slug, name, type_ in DEMO_ORGANISATIONS:
        org = Organisation.objects.filter(slug=slug).first()
        orgs[slug] = org or organisation_create(actor=None, name=name, type=type_, slug=slug)
    for du in DEMO_USERS:
        user = User.objects.filter(username=du.username).first()
        if user is None:
            user = User(
                username=du.username,
                first_name=du.first_name,
                last_name=du.last_name,
                email=f"{du.username}@{DEMO_EMAIL_DOMAIN}",
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        if not du.org_slug:
            platform_role_set(actor=None, user=user, role=du.role, reason="demo")
        elif not Membership.objects.filter(user=user, organisation=orgs[du.org_slug]).exists():
            membership_add(actor=None, organisation=orgs[du.org_slug], user=user, role=du.role)
    return DEMO_USERS


@dataclass(frozen=True)
class DemoLogin:
    username: str
    what: str


def demo_logins_shown() -> list[DemoLogin]:
    """Every demo login to list on the login page — the tenants' users here and those other apps' demos add (a
    provider's bidder, say), each with what it is for — only in development, and only once they are loaded."""
    if not settings.DEBUG or not Organisation.objects.filter(slug=DEMO_ORGANISATIONS[0][0]).exists():
        return []
    described = {u.username: u.what for u in DEMO_USERS}
    demo_orgs = {slug for slug, _, _ in DEMO_ORGANISATIONS}
    users = User.objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}").prefetch_related("memberships__organisation")
    order = {u.username: i for i, u in enumerate(DEMO_USERS)}
    logins = []
    for user in sorted(users, key=lambda u: (order.get(u.username, len(order)), u.username)):
        elsewhere = [m for m in user.memberships.all() if m.organisation.slug not in demo_orgs]
        roles = ", ".join(f"{m.get_role_display().lower()} of {m.organisation.name}" for m in elsewhere)
        if user.username in described:
            what = described[user.username] + (f"; also {roles}" if roles else "")
        else:
            what = roles or "a demo user"
        logins.append(DemoLogin(user.username, what))
    return logins
