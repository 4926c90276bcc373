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
                email=f"{du.username}@demo.cxo.localhost",
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        if not du.org_slug:
            platform_role_set(actor=None, user=user, role=du.role, reason="demo")
        elif not Membership.objects.filter(user=user, organisation=orgs[du.org_slug]).exists():
            membership_add(actor=None, organisation=orgs[du.org_slug], user=user, role=du.role)
    return DEMO_USERS


def demo_logins_shown() -> list[DemoUser]:
    """The demo logins to list on the login page: only in development, and only once they are loaded."""
    if not settings.DEBUG or not Organisation.objects.filter(slug=DEMO_ORGANISATIONS[0][0]).exists():
        return []
    return DEMO_USERS
