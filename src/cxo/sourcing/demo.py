"""The sourcing demo: a programme built from a real ClinicalTrials.gov study, with an RFP in progress and
proposals from two real registry providers (organisations of the FDA DECRS import).

Run by ``cxo demo`` after the registry and the demo tenants are loaded. Loading twice changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cxo.core.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD
from cxo.core.models import Membership, Organisation, User
from cxo.core.services import membership_add
from cxo.registry.models import Term
from cxo.sourcing.models import Programme, Rfp
from cxo.sourcing.providers import need_match
from cxo.sourcing.services.clarification import clarification_answer, clarification_ask
from cxo.sourcing.services.invitation import invitation_create
from cxo.sourcing.services.programme import need_create, programme_create
from cxo.sourcing.services.proposal import LineData, MilestoneData, ProposalData, proposal_submit
from cxo.sourcing.services.rfp import CriterionData, LineItemData, rfp_create, rfp_issue

STUDY_FILE = Path(__file__).resolve().parent / "data" / "ctgov_NCT07340320.csv"
PROGRAMME_CODE = "CX11"
SECOND_PROVIDER_USER = ("provider2", "Ben", "Achterberg")
START_IN_WEEKS = 6  # the demo need starts this long after the day it is loaded
PREFERRED_PROVIDERS = ("Adare Pharmaceuticals, Inc.", "Actavis Elizabeth LLC")


@dataclass
class SourcingDemo:
    lines: list[str] = field(default_factory=list)
    rfp: Rfp | None = None


def _study() -> dict[str, str]:
    with STUDY_FILE.open(encoding="utf-8", newline="") as fh:
        return next(csv.DictReader(fh))


def _date(value: str) -> dt.date | None:
    for fmt in ("%d-%m-%Y", "%Y-%m-%d", "%Y-%m"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _code(code: str) -> str | None:
    return code if Term.objects.filter(code=code).exists() else None


def _responder(*, organisation: Organisation, username: str, first: str, last: str) -> User:
    """A demo user who answers RFPs for a real registry organisation (which they thereby claim)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, first_name=first, last_name=last, email=f"{username}@{DEMO_EMAIL_DOMAIN}")
        user.set_password(DEMO_PASSWORD)
        user.save()
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        membership_add(actor=None, organisation=organisation, user=user, role="admin")
    if organisation.claimed_at is None:
        organisation.claimed_at = timezone.now()
        organisation.save(update_fields=["claimed_at"])
    return user


def sourcing_demo_load() -> SourcingDemo:
    """Create the demo sponsor's CX11 programme, its need, and an issued RFP with two real providers' proposals.

    The notifications it causes stay in the app: no e-mail is printed while the demo loads.
    """
    backend = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    try:
        return _load()
    finally:
        settings.EMAIL_BACKEND = backend


@transaction.atomic
def _load() -> SourcingDemo:
    out = SourcingDemo()
    sponsor = Organisation.objects.filter(slug="demo-sponsor").first()
    sponsor_user = User.objects.filter(username="sponsor").first()
    if sponsor is None or sponsor_user is None:
        out.lines.append("Sourcing demo skipped: the demo tenants are not loaded.")
        return out
    existing = Programme.objects.for_organisation(sponsor).filter(code=PROGRAMME_CODE).first()
    if existing is not None:
        out.rfp = Rfp.objects.for_organisation(sponsor).filter(need__programme=existing).first()
        out.lines.append(f"Sourcing demo: programme {existing} already there.")
        return out

    study = _study()
    # The study's own dates are history (they stay in its record on ClinicalTrials.gov); the sourcing around it is
    # illustrative, so its timeline starts from the day the demo is loaded and keeps the study's length.
    start, completion = _date(study["Start_Date"]), _date(study["Completion_Date"])
    length = (completion - start) if start and completion and completion > start else dt.timedelta(weeks=48)
    start_by = timezone.localdate() + dt.timedelta(weeks=START_IN_WEEKS)
    finish_by = start_by + length
    programme = programme_create(
        actor=sponsor_user,
        organisation=sponsor,
        name="CX11 tablets",
        code=PROGRAMME_CODE,
        stage="phase_2",
        indication=study["Conditions"],
        modality=_code("mod.small_molecule"),
        dosage_form=_code("frm.tablet"),
        route=_code("route.oral"),
        description=(
            f"{study['Study_Title']} ({study['Phases'].replace('PHASE', 'Phase ')}, "
            f"{study['Enrollment']} participants, "
            f"{study['Study_Status'].lower().replace('_', ' ')}; sponsor of record {study['Sponsor']}). "
            "Demo programme: the facts are the study's, the sourcing around it is illustrative."
        ),
        source=f"ClinicalTrials.gov {study['NCT_Number']}",
    )
    service = (
        _code("svc.mfg.drug_product")
        or Term.objects.filter(vocabulary="service").values_list("code", flat=True).first()
    )
    if service is None:
        out.lines.append("Sourcing demo: the taxonomy is not loaded; programme created without a need.")
        return out
    criteria: dict[str, list[str]] = {"services": [service], "countries": ["USA"]}
    if _code("frm.tablet"):
        criteria["dosage_forms"] = ["frm.tablet"]
    need = need_create(
        actor=sponsor_user,
        programme=programme,
        title="Clinical supply of CX11 tablets (Phase II)",
        description="GMP manufacture, release and stability of CX11 immediate-release tablets for the Phase II study.",
        criteria=criteria,
        quantity=Decimal("3"),
        unit="batches",
        start_by=start_by,
        finish_by=finish_by,
    )
    # DECRS records operations, not dosage forms, so many manufacturers tie for this need; among the matches the
    # demo prefers two known oral solid-dose manufacturers, else takes the best two.
    found = [m for m in need_match(need=need, limit=100) if m.organisation.slug != "demo-provider"]
    preferred = [m for name in PREFERRED_PROVIDERS for m in found if m.organisation.name == name]
    matches = (preferred + [m for m in found if m not in preferred])[:2]
    if len(matches) < 2:
        out.lines.append("Sourcing demo: fewer than two registry providers match; no RFP created.")
        return out
    first, second = (m.organisation for m in matches)
    provider_user = User.objects.get(username="provider")
    _responder(organisation=first, username="provider", first=provider_user.first_name, last=provider_user.last_name)
    second_user = _responder(
        organisation=second,
        username=SECOND_PROVIDER_USER[0],
        first=SECOND_PROVIDER_USER[1],
        last=SECOND_PROVIDER_USER[2],
    )

    rfp = rfp_create(
        actor=sponsor_user,
        need=need,
        title="CX11 tablets: Phase II clinical supply",
        scope=(
            "Transfer the CX11 tablet process, manufacture three GMP clinical batches, release them with a "
            "certificate of analysis and run a 12-month ICH stability study."
        ),
        deliverables="Executed batch records, certificates of analysis, QA release, stability reports per pull point.",
        response_deadline=timezone.now() + dt.timedelta(days=10),
        line_items=[
            LineItemData(
                "Technology transfer and engineering batch",
                "lot",
                Decimal("1"),
                "Assumed number of engineering batches",
            ),
            LineItemData("GMP manufacture of a clinical batch", "batch", Decimal("3"), "Assumed batch size and yield"),
            LineItemData("Release testing and certificate of analysis", "batch", Decimal("3")),
            LineItemData(
                "Stability study (ICH, 12 months)", "time point", Decimal("6"), "Assumed conditions and pull points"
            ),
            LineItemData("Project management", "month", Decimal("8")),
        ],
        questions=[
            "Which of your sites would manufacture and release the batches?",
            "Earliest slot for technology transfer?",
        ],
        criteria=[
            CriterionData("Price", 35, "Total of the bid grid and the clarity of assumptions"),
            CriterionData("Technical capability", 30, "Solid-dose experience, equipment and capacity"),
            CriterionData("Quality and compliance", 20, "FDA registration and inspection record"),
            CriterionData("Timeline", 15, "Release of the first batch before the study's need date"),
        ],
    )
    inv_first = invitation_create(actor=sponsor_user, rfp=rfp, provider=first, source="shortlist")
    inv_second = invitation_create(actor=sponsor_user, rfp=rfp, provider=second, source="shortlist")
    rfp = rfp_issue(actor=sponsor_user, rfp=rfp)
    inv_first.refresh_from_db()
    inv_second.refresh_from_db()
    question = clarification_ask(
        actor=provider_user,
        invitation=inv_first,
        question="Will the API be supplied by you, and in what particle size?",
    )
    clarification_answer(
        actor=sponsor_user,
        clarification=question,
        answer="Yes: the sponsor supplies micronised API (d90 below 20 µm) with its certificate of analysis.",
        publish=True,
    )
    items = list(rfp.line_items.all())
    base = start_by

    def proposal(prices: list[str | None], note: str = "", weeks: tuple[int, int] = (10, 26)) -> ProposalData:
        return ProposalData(
            lines=[
                LineData(item.pk, None if price is None else Decimal(price), assumption="See our assumptions")
                for item, price in zip(items, prices, strict=True)
            ],
            assumptions="Batch size 60,000 tablets; API and reference standard supplied by the sponsor.",
            timeline_summary="Technology transfer, one engineering batch, then three GMP batches released in sequence.",
            milestones=[
                MilestoneData("Technology transfer complete", base + dt.timedelta(weeks=weeks[0])),
                MilestoneData("First GMP batch released", base + dt.timedelta(weeks=weeks[1])),
            ],
            answers={q.pk: "Our main US solid-dose site." for q in rfp.questions.all()},
            note=note,
        )

    proposal_submit(
        actor=provider_user, invitation=inv_first, data=proposal(["48000", "62000", "7500", "2400", "6000"])
    )
    proposal_submit(
        actor=provider_user,
        invitation=inv_first,
        data=proposal(["45000", "62000", "7000", "2400", "5500"], note="Lower transfer and testing costs"),
    )
    proposal_submit(
        actor=second_user, invitation=inv_second, data=proposal(["39000", "71000", "6800", None, "6500"], weeks=(8, 22))
    )
    out.rfp = rfp
    out.lines += [
        f"Sourcing demo: programme {programme.name} ({programme.code}) from ClinicalTrials.gov {study['NCT_Number']}; "
        f"{rfp.reference} issued "
        f"to {first.name} and {second.name} (both from the FDA registry), with their proposals.",
        f"  provider   now also answers RFPs for {first.name}",
        f"  {SECOND_PROVIDER_USER[0]:<10} answers RFPs for {second.name} (password {DEMO_PASSWORD})",
    ]
    return out
