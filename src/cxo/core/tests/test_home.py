"""The home page's registry of sections: each shown to the organisations and roles it is for, in order."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cxo.core.home import (
    HomeSection,
    home_section_register,
    home_section_unregister,
    home_sections_fill,
    home_sections_for,
)
from cxo.core.models import Membership, Organisation, User
from cxo.core.roles import OrganisationType, Permission


def _members(membership: Membership) -> list[str]:
    return [m.user.username for m in membership.organisation.memberships.select_related("user")]


TEST_SECTIONS = (
    HomeSection(key="test.late", title="Late", template="t.html", items=_members, order=900),
    HomeSection(key="test.early", title="Early", template="t.html", items=_members, order=899),
    HomeSection(
        key="test.providers",
        title="Providers only",
        template="t.html",
        items=_members,
        order=901,
        organisation_type=OrganisationType.PROVIDER,
    ),
    HomeSection(
        key="test.members",
        title="Admins only",
        template="t.html",
        items=_members,
        order=902,
        permission=Permission.MANAGE_MEMBERS,
        more=lambda org: f"/o/{org.slug}/members/",
    ),
)


@pytest.fixture
def sections() -> Iterator[None]:
    for section in TEST_SECTIONS:
        home_section_register(section)
    yield
    for section in TEST_SECTIONS:
        home_section_unregister(section.key)


def _keys(membership: Membership) -> list[str]:
    return [s.key for s in home_sections_for(membership=membership) if s.key.startswith("test.")]


def test_sections_come_in_order_for_the_organisation_type_and_role(
    sections: None,
    sponsor: Organisation,
    sponsor_user: User,
    teammate: User,
    provider: Organisation,
    provider_user: User,
) -> None:
    admin = Membership.objects.get(user=sponsor_user, organisation=sponsor)
    quality = Membership.objects.get(user=teammate, organisation=sponsor)
    provider_admin = Membership.objects.get(user=provider_user, organisation=provider)
    assert _keys(admin) == ["test.early", "test.late", "test.members"]
    assert _keys(quality) == ["test.early", "test.late"]  # quality assurance does not manage members
    assert _keys(provider_admin) == ["test.early", "test.late", "test.providers", "test.members"]


def test_a_filled_section_reads_its_items_for_the_member(
    sections: None, sponsor: Organisation, sponsor_user: User, teammate: User
) -> None:
    admin = Membership.objects.get(user=sponsor_user, organisation=sponsor)
    filled = {f.section.key: f for f in home_sections_fill(membership=admin)}
    assert sorted(filled["test.early"].items) == ["alice", "bob"]  # type: ignore[type-var]  # usernames
    assert filled["test.early"].count == 2
    assert filled["test.members"].more_url == f"/o/{sponsor.slug}/members/"
    assert filled["test.late"].more_url == ""


def test_a_key_is_registered_once(sections: None) -> None:
    home_section_register(TEST_SECTIONS[0])  # the same section again is harmless
    with pytest.raises(ValueError, match="already registered"):
        home_section_register(HomeSection(key="test.late", title="Another", template="t.html", items=_members))
