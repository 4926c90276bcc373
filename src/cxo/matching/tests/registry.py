"""A small registry built straight from the models (with the real taxonomy) for matching tests.

| organisation | site           | country | capabilities (evidence)                                          |
|--------------|----------------|---------|------------------------------------------------------------------|
| Acme Pharma  | Acme Newark    | USA     | API manufacture (FDA 2025-01-01), analysis (FDA 2025-01-01)       |
|              | Acme Hyderabad | IND     | drug product TABLET (SPL 2026-06-01), packaging (FDA 2025-01-01)  |
|              | (organisation) |         | drug product TABLET / ORAL (NDC 2019-04-29)                       |
| Bharat Labs  | Bharat Pune    | IND     | drug product (self-declared 2026-10-01), analysis (audit 2024-02) |
| Chem Virtual | (no sites)     |         | API manufacture, organisation-wide (NDC 2019-04-29)               |
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from cxo.core.models import Organisation
from cxo.core.roles import OrganisationType
from cxo.registry.models import Capability, Evidence, Site, Term
from cxo.registry.taxonomy import taxonomy_load


def _cap(
    org: Organisation,
    site: Site | None,
    service: str,
    *,
    kind: str,
    ref: str,
    on: dt.date,
    dosage_form: str | None = None,
    route: str | None = None,
    substance: str = "",
) -> Capability:
    terms = {t.code: t for t in Term.objects.filter(code__in=[service, dosage_form or "", route or ""])}
    form = Term.objects.get(vocabulary="dosage_form", name=dosage_form) if dosage_form else None
    rte = Term.objects.get(vocabulary="route", name=route) if route else None
    cap = Capability.objects.create(
        organisation=org,
        site=site,
        service=terms[service],
        dosage_form=form,
        route=rte,
        substance=substance,
        key=Capability.make_key(
            site_id=site.pk if site else None,
            service_id=terms[service].pk,
            dosage_form_id=form.pk if form else None,
            route_id=rte.pk if rte else None,
            substance=substance,
        ),
    )
    Evidence.objects.create(capability=cap, kind=kind, source_ref=ref, observed_on=on)
    return cap


def small_registry() -> SimpleNamespace:
    taxonomy_load()
    acme = Organisation.objects.create(name="Acme Pharma", slug="acme-pharma", type=OrganisationType.PROVIDER)
    bharat = Organisation.objects.create(name="Bharat Labs", slug="bharat-labs", type=OrganisationType.PROVIDER)
    chem = Organisation.objects.create(name="Chem Virtual", slug="chem-virtual", type=OrganisationType.PROVIDER)
    expiry = dt.date(2025, 12, 31)
    newark = Site.objects.create(
        organisation=acme,
        name="Acme Newark",
        country="USA",
        duns="100000001",
        fei="3000000001",
        registration_expiry=expiry,
    )
    hyderabad = Site.objects.create(
        organisation=acme,
        name="Acme Hyderabad",
        country="IND",
        duns="100000002",
        fei="3000000002",
        registration_expiry=dt.date(2027, 12, 31),
    )
    pune = Site.objects.create(organisation=bharat, name="Bharat Pune", country="IND", duns="100000003")
    fy25 = dt.date(2025, 1, 1)
    _cap(acme, newark, "svc.mfg.api", kind="fda_registration", ref="DECRS FY2025 DUNS 100000001", on=fy25)
    _cap(acme, newark, "svc.analysis", kind="fda_registration", ref="DECRS FY2025 DUNS 100000001", on=fy25)
    _cap(
        acme,
        hyderabad,
        "svc.mfg.drug_product",
        kind="spl_establishment",
        ref="SPL 1234-abcd",
        on=dt.date(2026, 6, 1),
        dosage_form="TABLET",
    )
    _cap(acme, hyderabad, "svc.packaging.pack", kind="fda_registration", ref="DECRS FY2027 DUNS 100000002", on=fy25)
    _cap(
        acme,
        None,
        "svc.mfg.drug_product",
        kind="ndc_listing",
        ref="NDC 12345",
        on=dt.date(2019, 4, 29),
        dosage_form="TABLET",
        route="ORAL",
    )
    _cap(bharat, pune, "svc.mfg.drug_product", kind="self_declared", ref="Profile", on=dt.date(2026, 10, 1))
    _cap(bharat, pune, "svc.analysis", kind="audit", ref="Audit 2024-02", on=dt.date(2024, 2, 1))
    _cap(chem, None, "svc.mfg.api", kind="ndc_listing", ref="NDC 99999", on=dt.date(2019, 4, 29))
    # Ibuprofen: a bulk listing (API) at Chem Virtual, a finished product (not API) at Pune.
    _cap(chem, None, "svc.mfg.api", kind="ndc_unfinished", ref="NDC 99998", on=dt.date(2019, 4, 29),
         substance="IBUPROFEN SODIUM DIHYDRATE")  # fmt: skip
    _cap(bharat, pune, "svc.mfg.drug_product", kind="self_declared", ref="Profile", on=dt.date(2026, 10, 1),
         substance="IBUPROFEN")  # fmt: skip
    return SimpleNamespace(acme=acme, bharat=bharat, chem=chem, newark=newark, hyderabad=hyderabad, pune=pune)
