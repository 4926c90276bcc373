"""The home page's sections: what each app has waiting for a member, registered by the app itself.

Core's home page shows, for each of the user's organisations, the sections that apply to it; it never
imports the apps that provide them. An app registers its sections in its ``AppConfig.ready()``::

    home_section_register(
        HomeSection(
            key="sourcing.questions",
            title="Questions to answer",
            template="sourcing/home/_questions.html",  # renders ``items`` (and ``organisation``)
            items=selectors.home_questions,  # (membership) -> the rows, already scoped and limited
            order=30,
            organisation_type=OrganisationType.SPONSOR,
            permission=Permission.MANAGE_SOURCING,
            empty="No question is waiting for an answer.",
            more=lambda org: reverse("sourcing:rfp_list", kwargs={"org": org.slug}),
        )
    )

Sections are shown by ``order`` (then key), only to members of an organisation of the section's type
whose role grants its permission. ``items`` is a selector like any other: it reads only what the
member's organisation may see.

Each organisation's card on the home page links to the apps' main pages for it; an app adds its link the
same way: ``home_link_register(HomeLink(key="sourcing.home", label="Sourcing", url=lambda org: …))``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cxo.core.models import Membership, Organisation
from cxo.core.roles import Permission
from cxo.core.selectors import membership_can


@dataclass(frozen=True)
class HomeSection:
    """One box of the home page: a title, a selector of what to list and the template that lists it."""

    key: str
    title: str
    template: str
    items: Callable[[Membership], Sequence[object]]
    order: int = 100
    organisation_type: str | None = None  # None: sponsors and providers alike
    permission: Permission = Permission.VIEW
    empty: str = "Nothing waiting."
    more: Callable[[Organisation], str] | None = None  # where the whole list is
    more_label: str = "See all"


@dataclass(frozen=True)
class FilledSection:
    """A section with what it lists for one member."""

    section: HomeSection
    items: Sequence[object]
    more_url: str

    @property
    def count(self) -> int:
        return len(self.items)


_SECTIONS: dict[str, HomeSection] = {}


def home_section_register(section: HomeSection) -> None:
    """Add a section to the home page (from an app's ``ready()``). A key is registered once."""
    existing = _SECTIONS.get(section.key)
    if existing is not None and existing != section:
        raise ValueError(f"A home section '{section.key}' is already registered.")
    _SECTIONS[section.key] = section


@dataclass(frozen=True)
class HomeLink:
    """A link on an organisation's card of the home page: an app's main page for that organisation."""

    key: str
    label: str
    url: Callable[[Organisation], str]
    order: int = 100
    organisation_type: str | None = None  # None: sponsors and providers alike
    permission: Permission = Permission.VIEW


_LINKS: dict[str, HomeLink] = {}


def home_link_register(link: HomeLink) -> None:
    """Add a link to each organisation's card (from an app's ``ready()``). A key is registered once."""
    existing = _LINKS.get(link.key)
    if existing is not None and existing != link:
        raise ValueError(f"A home link '{link.key}' is already registered.")
    _LINKS[link.key] = link


def home_links_for(*, membership: Membership) -> list[tuple[str, str]]:
    """(label, url) of the links a member sees on the organisation's card, in order."""
    organisation = membership.organisation
    links = sorted(
        (
            link
            for link in _LINKS.values()
            if link.organisation_type in (None, organisation.type)
            and membership_can(membership=membership, permission=link.permission)
        ),
        key=lambda link: (link.order, link.key),
    )
    return [(link.label, link.url(organisation)) for link in links]


def home_section_unregister(key: str) -> None:
    """Take a section off the home page (tests that register their own)."""
    _SECTIONS.pop(key, None)


def home_sections_for(*, membership: Membership) -> list[HomeSection]:
    """The sections a member sees: of the organisation's type, allowed by the role, in order."""
    organisation = membership.organisation
    return sorted(
        (
            s
            for s in _SECTIONS.values()
            if s.organisation_type in (None, organisation.type)
            and membership_can(membership=membership, permission=s.permission)
        ),
        key=lambda s: (s.order, s.key),
    )


def home_sections_fill(*, membership: Membership) -> list[FilledSection]:
    """Each of the member's sections with its items read."""
    organisation = membership.organisation
    return [
        FilledSection(section=s, items=list(s.items(membership)), more_url=s.more(organisation) if s.more else "")
        for s in home_sections_for(membership=membership)
    ]
