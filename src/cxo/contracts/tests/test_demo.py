"""The contracts demo on top of the sourcing demo: agreements with each demo provider, an active work order with a
milestone accepted and invoiced, a late one and a change order waiting for the provider, an invoice in dispute;
dates relative to today; loading twice changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from cxo.contracts.demo import contracts_demo_load
from cxo.contracts.models import ChangeOrder, Invoice, MasterAgreement, WorkOrder
from cxo.contracts.selectors.agenda import agenda_for
from cxo.contracts.selectors.programme import programme_view
from cxo.core.demo import demo_tenants_load
from cxo.core.models import Organisation
from cxo.matching import live
from cxo.quality.demo import quality_demo_load
from cxo.quality.selectors import quality_agreement_in_force
from cxo.registry.taxonomy import taxonomy_load
from cxo.sourcing.demo import SourcingDemo, sourcing_demo_load
from cxo.sourcing.models import Programme, RfpStatus
from cxo.testing.registry_factories import RegistryOrganisationFactory, SiteFactory, capability_with_evidence


def _sourcing_demo() -> SourcingDemo:
    """The tenants and the sourcing demo on two registry providers (the demo's real names)."""
    taxonomy_load(actor=None)
    for name in ("Adare Pharmaceuticals, Inc.", "Actavis Elizabeth LLC"):
        org = RegistryOrganisationFactory.create(name=name)
        # tablets on record: the demo need names the dosage form, which matching treats as a filter
        capability_with_evidence(
            site=SiteFactory.create(organisation=org), service="svc.mfg.drug_product", dosage_form="frm.tablet"
        )
    live.forget()
    demo_tenants_load()
    return sourcing_demo_load()


def test_the_demo_fills_every_contracts_state_and_loads_once(db: None) -> None:
    sourcing = _sourcing_demo()
    out = contracts_demo_load()
    sponsor = Organisation.objects.get(slug="demo-sponsor")
    assert sourcing.rfp is not None and sourcing.rfp.status == RfpStatus.ISSUED  # the sourcing demo is untouched
    agreements = MasterAgreement.objects.for_organisation(sponsor).select_related("provider")
    assert sorted(a.provider.name for a in agreements if a.in_force) == [
        "Actavis Elizabeth LLC",
        "Adare Pharmaceuticals, Inc.",
        "Northbridge CDMO (demo provider)",
    ]
    testing, packaging = out.work_orders
    assert (testing.status, packaging.status) == ("active", "active")
    assert (testing.budget_total, packaging.budget_total) == (Decimal("51400"), Decimal("28100"))
    assert [m.status for m in testing.milestones.all()] == ["accepted", "planned", "planned"]
    today = timezone.localdate()
    assert [m.due_date - today for m in testing.milestones.all()][1] == dt.timedelta(days=-5)  # late, relative
    [change] = ChangeOrder.objects.for_organisation(sponsor).filter(work_order=testing)
    assert change.status == "proposed" and change.sponsor_signature and not change.provider_signature
    statuses = {i.work_order_id: i.status for i in Invoice.objects.for_organisation(sponsor)}
    assert statuses == {testing.pk: "approved", packaging.pk: "disputed"}
    adare = Organisation.objects.get(name="Adare Pharmaceuticals, Inc.")
    kinds = [i.kind for i in agenda_for(organisation=adare).items]
    assert kinds[0] == "late" and "sign" in kinds  # its late milestone first; the change order to sign
    programme = Programme.objects.for_organisation(sponsor).get(code="CX11")
    view = programme_view(organisation=sponsor, programme_id=programme.pk)
    assert [i.what for i in view.late] == ["Milestone “Stability protocol approved”"]
    assert {r.kind for r in view.rows} == {"need", "rfp", "work_order"}
    again = contracts_demo_load()
    assert again.work_orders == [] and again.lines[0].startswith("Contracts demo: work order")
    assert WorkOrder.objects.for_organisation(sponsor).count() == 2
    assert MasterAgreement.objects.for_organisation(sponsor).count() == 3


def test_after_the_quality_demo_each_work_order_starts_under_a_quality_agreement_in_force(db: None) -> None:
    """``cxo demo`` loads quality before contracts: the sponsor then keeps quality agreements in CXO, so activation
    asks for one with each provider; the demo signs one where quality's demo has none."""
    _sourcing_demo()
    quality_demo_load()
    testing, packaging = contracts_demo_load().work_orders
    assert (testing.status, packaging.status) == ("active", "active")
    today = timezone.localdate()
    for wo in (testing, packaging):
        assert quality_agreement_in_force(sponsor=wo.organisation, provider=wo.provider, site=wo.site, on=today)
