"""Sourcing's sections of the home page (see :mod:`cxo.core.home`): what a sponsor's RFPs and a provider's
invitations have waiting."""

from __future__ import annotations

from django.urls import reverse

from cxo.core.home import HomeLink, HomeSection, home_link_register, home_section_register
from cxo.core.models import Organisation
from cxo.core.roles import OrganisationType, Permission
from cxo.sourcing import selectors


def _rfps(organisation: Organisation) -> str:
    return reverse("sourcing:rfp_list", kwargs={"org": organisation.slug})


def _inbox(organisation: Organisation) -> str:
    return reverse("sourcing:inbox", kwargs={"org": organisation.slug})


SPONSOR, PROVIDER = OrganisationType.SPONSOR, OrganisationType.PROVIDER

SECTIONS = (
    HomeSection(
        key="sourcing.open_rfps",
        title="Open RFPs",
        template="sourcing/home/_open_rfps.html",
        items=selectors.home_open_rfps,
        order=10,
        organisation_type=SPONSOR,
        empty="No RFP is open. Start one from a programme's need.",
        more=_rfps,
        more_label="All RFPs",
    ),
    HomeSection(
        key="sourcing.questions_to_answer",
        title="Questions to answer",
        template="sourcing/home/_questions_to_answer.html",
        items=selectors.home_questions_to_answer,
        order=20,
        organisation_type=SPONSOR,
        permission=Permission.MANAGE_SOURCING,
        empty="No bidder's question is waiting for an answer.",
    ),
    HomeSection(
        key="sourcing.proposals_received",
        title="Proposals received",
        template="sourcing/home/_proposals_received.html",
        items=selectors.home_proposals_received,
        order=30,
        organisation_type=SPONSOR,
        empty="No proposal has come in on an open RFP.",
    ),
    HomeSection(
        key="sourcing.awards_to_sign",
        title="Awards to sign",
        template="sourcing/home/_awards_to_sign.html",
        items=selectors.home_awards_to_sign,
        order=40,
        organisation_type=SPONSOR,
        permission=Permission.SIGN_AWARD,
        empty="No closed RFP is waiting for its award.",
    ),
    HomeSection(
        key="sourcing.new_invitations",
        title="New invitations",
        template="sourcing/home/_new_invitations.html",
        items=selectors.home_new_invitations,
        order=10,
        organisation_type=PROVIDER,
        permission=Permission.READ_INVITATIONS,  # a guest bidder sees the invitations it holds
        empty="No new invitation. Sponsors find you through the registry: keep your profile true.",
        more=_inbox,
        more_label="RFP inbox",
    ),
    HomeSection(
        key="sourcing.deadlines",
        title="Deadlines",
        template="sourcing/home/_deadlines.html",
        items=selectors.home_deadlines,
        order=20,
        organisation_type=PROVIDER,
        permission=Permission.READ_INVITATIONS,  # a guest bidder sees the invitations it holds
        empty="No response is due.",
        more=_inbox,
        more_label="RFP inbox",
    ),
    HomeSection(
        key="sourcing.questions_answered",
        title="Questions answered",
        template="sourcing/home/_questions_answered.html",
        items=selectors.home_questions_answered,
        order=30,
        organisation_type=PROVIDER,
        empty="No answer yet to a question of yours or one published to all bidders.",
    ),
)


LINKS = (
    HomeLink(
        key="sourcing.home",
        label="Sourcing",
        url=lambda org: reverse("sourcing:home", kwargs={"org": org.slug}),
        order=10,
        organisation_type=SPONSOR,
    ),
    HomeLink(
        key="sourcing.inbox",
        label="RFP inbox",
        url=_inbox,
        order=10,
        organisation_type=PROVIDER,
        permission=Permission.READ_INVITATIONS,
    ),
)


def register() -> None:
    for section in SECTIONS:
        home_section_register(section)
    for link in LINKS:
        home_link_register(link)
