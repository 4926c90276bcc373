"""The registry: a controlled taxonomy, sites, capabilities and the evidence behind each capability.

Registry data is public to every signed-in user; it is not tenant-owned.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Vocabulary(models.TextChoices):
    SERVICE = "service", "Service"
    DOSAGE_FORM = "dosage_form", "Dosage form"
    ROUTE = "route", "Route of administration"
    MODALITY = "modality", "Modality"
    SCALE = "scale", "Phase / scale"


def term_display(name: str) -> str:
    """A taxonomy name for reading: FDA SPL wording is in capitals ("TABLET, FILM COATED" -> "Tablet, film coated")."""
    return name.capitalize() if name.isupper() else name


class Term(models.Model):
    """One term of the controlled taxonomy. ``code`` is stable and is what APIs and imports use.

    Dosage forms and routes carry their CDISC C-code; their parents are the families users think
    in (solid oral, injectable, …), which are terms of the same vocabulary without a C-code.
    """

    vocabulary = models.CharField(max_length=16, choices=Vocabulary.choices, db_index=True)
    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    synonyms = models.JSONField(default=list, blank=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    cdisc_code = models.CharField(max_length=16, blank=True, db_index=True)
    description = models.TextField(blank=True)
    sort = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["vocabulary", "sort", "name"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name as people read it (SPL's capitals calmed); ``name`` stays as the source spells it."""
        return term_display(self.name)


def fei_key(value: str | None) -> str:
    """The FEI as records are joined on: its digits with leading zeros stripped; "" for none or a placeholder.

    DECRS writes "0000000360" where the Data Dashboard writes "360"; placeholders such as "0000000" join nothing.
    """
    digits = "".join(c for c in str(value or "") if c.isdigit()).lstrip("0")
    return digits if len(digits) <= 10 else ""


def fei_assigned(value: str | None) -> str:
    """The FEI as the source wrote it, or "" when there is none or it is a placeholder: DECRS writes "0000000"
    for an establishment FDA has not numbered. The one home of that rule (pages, API, search, imports)."""
    text = (value or "").strip()
    return text if text.strip("0") else ""


class Site(models.Model):
    """A physical establishment of an organisation, identified by its DUNS number where known."""

    organisation = models.ForeignKey("core.Organisation", on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=255)
    address = models.TextField(blank=True)
    country = models.CharField(max_length=3, blank=True, db_index=True, help_text="ISO 3166 alpha-3")
    duns = models.CharField(max_length=9, unique=True, null=True, blank=True)
    fei = models.CharField(max_length=10, blank=True, help_text="FDA Establishment Identifier, as the source wrote it")
    fei_key = models.CharField(
        max_length=10,
        blank=True,
        db_index=True,
        help_text="The FEI as compliance records are joined on: digits, leading zeros stripped; empty for none",
    )
    # The registration's status (current, expired, …) is not stored: it depends on the day it is read
    # (cxo.registry.registration).
    registration_expiry = models.DateField(null=True, blank=True, db_index=True)

    us_agent_name = models.CharField(max_length=255, blank=True)
    us_agent_duns = models.CharField(max_length=9, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["organisation", "name"], name="site_org_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def fei_number(self) -> str:
        """The site's FEI for showing, "" when none or a placeholder (:func:`fei_assigned`)."""
        return fei_assigned(self.fei)


class Capability(models.Model):
    """Something an organisation (or one of its sites) does, described in taxonomy terms.

    ``site`` is empty for organisation-level capabilities (e.g. the dosage forms a labeler markets
    according to the NDC directory, or the trial phases a sponsor has run). ``key`` makes the
    combination unique without relying on how each database treats NULLs in unique constraints.
    """

    organisation = models.ForeignKey("core.Organisation", on_delete=models.CASCADE, related_name="capabilities")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="capabilities")
    service = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="+")
    dosage_form = models.ForeignKey(Term, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    route = models.ForeignKey(Term, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    modality = models.ForeignKey(Term, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    scale = models.ForeignKey(Term, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    substance = models.CharField(max_length=255, blank=True, db_index=True)
    key = models.CharField(max_length=400)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="capability_unique_org_key")]
        indexes = [models.Index(fields=["service", "site"], name="capability_service_site")]

    def __str__(self) -> str:
        return self.key

    @staticmethod
    def make_key(
        *,
        site_id: int | None,
        service_id: int,
        dosage_form_id: int | None = None,
        route_id: int | None = None,
        modality_id: int | None = None,
        scale_id: int | None = None,
        substance: str = "",
    ) -> str:
        parts = [site_id, service_id, dosage_form_id, route_id, modality_id, scale_id]
        return "|".join("" if p is None else str(p) for p in parts) + "|" + substance.upper()


class EvidenceKind(models.TextChoices):
    FDA_REGISTRATION = "fda_registration", "FDA establishment registration"
    NDC_LISTING = "ndc_listing", "NDC product listing"
    NDC_UNFINISHED = "ndc_unfinished", "NDC unfinished-drug listing"
    SPL_ESTABLISHMENT = "spl_establishment", "SPL establishment record"
    CLINICAL_TRIAL = "clinical_trial", "Clinical trial record"
    AUDIT = "audit", "Audit"
    SELF_DECLARED = "self_declared", "Self-declared"


class Evidence(models.Model):
    """Why we believe a capability: a source record with its reference and the date it was observed."""

    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=24, choices=EvidenceKind.choices, db_index=True)
    source_ref = models.CharField(max_length=255, help_text="The record's identifier in its source, e.g. an NCT id.")
    observed_on = models.DateField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    import_run = models.ForeignKey("ImportRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["capability", "kind", "source_ref"], name="evidence_unique_source")
        ]
        ordering = ["-observed_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source_ref}"


class ImportRun(models.Model):
    """One run of an importer: what file, who ran it, what it changed."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    source = models.CharField(max_length=32, db_index=True)
    file_name = models.CharField(max_length=255)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the file")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    notes = models.JSONField(default=dict, blank=True, help_text="Source-specific figures, e.g. the NDC link rate.")
    error = models.TextField(blank=True)
    rejected_path = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.file_name} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def command(self) -> str:
        """The command that makes this import (the file by its name, not the path it was read from)."""
        return f"cxo import {self.source} {self.file_name}"

    @property
    def run_by(self) -> str:
        """Who ran it, as users are shown it: the person, ``cli`` for the command line, or the job (``demo``).

        Runs recorded before this read ``cli:<machine account>``; that account is the server's, not a person's.
        """
        if self.actor is not None:
            return self.actor.get_username()
        if self.actor_label.startswith("cli"):
            return "cli"
        return self.actor_label or "system"


class ComplianceKind(models.TextChoices):
    INSPECTION = "inspection", "Inspection"
    CITATION = "citation", "Inspection citation"
    FORM_483 = "form_483", "Published Form 483"
    WARNING_LETTER = "warning_letter", "Warning letter"
    ACTION = "action", "Other compliance action"  # injunction, seizure, …
    RECALL = "recall", "Recall"


class ComplianceEvent(models.Model):
    """One dated record of FDA's oversight of a firm: an inspection and its outcome, a citation, a
    published Form 483, a warning letter or other action, a recall.

    Public data, like the rest of the registry. An event is **at the sites whose** ``fei_key``
    **equals its** ``fei`` — joined when read, so sites imported later join too and a site's record is
    never stale; see :mod:`cxo.registry.compliance`. Records that name a company only (FDA's
    warning-letter listing) have no FEI and are linked to an ``organisation`` by name instead.
    ``(source, source_ref)`` is the row's identity in its source file, so re-importing changes nothing.
    """

    kind = models.CharField(max_length=16, choices=ComplianceKind.choices)
    source = models.CharField(max_length=32, help_text="The importer's source name, e.g. fda-inspections")
    source_ref = models.CharField(max_length=255, help_text="The row's own id in its source, e.g. the inspection id")
    occurred_on = models.DateField(null=True, blank=True, help_text="Inspection end, action, letter or recall date")
    classification = models.CharField(
        max_length=32, blank=True, help_text="NAI / VAI / OAI for inspections, Class I / II / III for recalls"
    )
    status = models.CharField(max_length=32, blank=True, help_text="As the source gives it, e.g. a recall's Ongoing")
    closed_on = models.DateField(null=True, blank=True, help_text="When the source says it was closed out")
    title = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    fei = models.CharField(max_length=10, blank=True, help_text="FEI key (digits, no leading zeros); empty for none")
    firm_name = models.CharField(max_length=255, blank=True, help_text="The firm as the source names it")
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="For records that name a company, not an FEI: the organisation the name links to",
    )
    url = models.URLField(max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    import_run = models.ForeignKey("ImportRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "source_ref"], name="compliance_unique_source_row")]
        indexes = [
            models.Index(fields=["fei", "kind", "occurred_on"], name="compliance_fei_kind_date"),
            models.Index(fields=["organisation", "kind", "occurred_on"], name="compliance_org_kind_date"),
        ]
        ordering = ["-occurred_on", "kind", "source_ref"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source_ref}"


# The index columns of the directory's three facet families, in the order of their covering indexes
# (cxo.registry.search groups by one family at a time, reading one index in its column order).
_RECORD_COLUMNS = ("registration_expiry", "inspections", "warning_letter_on", "recall_class1_on")
_SITE_FAMILIES = (("country", "kind", "services", "evidence"), ("dosage_forms", "routes"), _RECORD_COLUMNS)
_ORG_FAMILIES = (("countries", "kind", "services", "evidence"), ("dosage_forms", "routes"), _RECORD_COLUMNS)


class SiteFacets(models.Model):
    """A site's facet values, denormalised for directory search (a search index, not a source of truth).

    Rebuilt from sites, capabilities and evidence by :func:`cxo.registry.facets.facets_rebuild`
    after every import. Term facets hold ``|id|id|`` signatures of the site's terms *and their
    ancestors* (so filtering by a parent term is one ``LIKE``); see :mod:`cxo.registry.facets` for
    which capabilities count. Directory counts group by whole signatures —
    few distinct values — and expand them in Python, which keeps a faceted search over 100k sites
    to a handful of index scans.
    """

    site = models.OneToOneField(Site, on_delete=models.CASCADE, primary_key=True, related_name="facets")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.CASCADE, related_name="+")
    country = models.CharField(max_length=3, blank=True)
    kind = models.CharField(max_length=120, blank=True, help_text="The organisation's roles, |role|role|")
    services = models.CharField(max_length=1000, blank=True)
    dosage_forms = models.TextField(blank=True)
    routes = models.TextField(blank=True)
    substances = models.TextField(blank=True, help_text="|MOIETY|MOIETY| of its capabilities' active substances")
    evidence = models.CharField(max_length=200, blank=True, help_text="|kind|kind| of the evidence")
    # Dates, not states: "current" and "in the last five years" are decided when the index is read.
    registration_expiry = models.DateField(null=True, blank=True)
    inspections = models.CharField(max_length=20, blank=True, help_text="|OAI| — the latest inspection's outcome")
    warning_letter_on = models.DateField(null=True, blank=True, help_text="The newest warning letter")
    recall_class1_on = models.DateField(null=True, blank=True, help_text="The newest Class I recall")
    sort_name = models.CharField(max_length=255, blank=True)
    search_text = models.TextField(blank=True, help_text="Normalised organisation and site names, address, DUNS, FEI")

    class Meta:
        indexes = [
            # Covering indexes: the two facet-count queries (cxo.registry.search) each group in the
            # order of one index, and the page of hits is sorted from the first, never the table.
            models.Index(
                fields=[*_SITE_FAMILIES[0], *_SITE_FAMILIES[1], *_SITE_FAMILIES[2], "sort_name"],
                name="sitefacets_country",
            ),
            models.Index(
                fields=[*_SITE_FAMILIES[1], *_SITE_FAMILIES[0], *_SITE_FAMILIES[2]], name="sitefacets_products"
            ),
            models.Index(fields=[*_SITE_FAMILIES[2], *_SITE_FAMILIES[0], *_SITE_FAMILIES[1]], name="sitefacets_record"),
            models.Index(fields=["sort_name"], name="sitefacets_sort_name"),
            models.Index(fields=["organisation"], name="sitefacets_org"),
        ]

    def __str__(self) -> str:
        return f"facets of site {self.site_id}"


class OrganisationFacets(models.Model):
    """An organisation's facet values for directory search: the union over its sites and capabilities.

    Like :class:`SiteFacets`, rebuilt by :func:`cxo.registry.facets.facets_rebuild`; ``countries``
    is a ``|USA|CHN|`` signature of the countries of its sites.
    """

    organisation = models.OneToOneField(
        "core.Organisation", on_delete=models.CASCADE, primary_key=True, related_name="registry_facets"
    )
    countries = models.TextField(blank=True)
    kind = models.CharField(max_length=120, blank=True, help_text="Its roles, |role|role|")
    services = models.CharField(max_length=1000, blank=True)
    dosage_forms = models.TextField(blank=True)
    routes = models.TextField(blank=True)
    substances = models.TextField(blank=True, help_text="|MOIETY|MOIETY| of its capabilities' active substances")
    evidence = models.CharField(max_length=200, blank=True)
    registration_expiry = models.DateField(null=True, blank=True, help_text="The newest of its sites'")
    inspections = models.CharField(max_length=20, blank=True, help_text="The latest outcome at each of its sites")
    warning_letter_on = models.DateField(null=True, blank=True, help_text="The newest at a site or by name")
    recall_class1_on = models.DateField(null=True, blank=True)
    site_count = models.PositiveIntegerField(default=0)
    sort_name = models.CharField(max_length=255, blank=True)
    search_text = models.TextField(blank=True, help_text="Normalised name and registrant DUNS")

    class Meta:
        indexes = [
            models.Index(
                fields=[*_ORG_FAMILIES[0], *_ORG_FAMILIES[1], *_ORG_FAMILIES[2], "sort_name"],
                name="orgfacets_countries",
            ),
            models.Index(fields=[*_ORG_FAMILIES[1], *_ORG_FAMILIES[0], *_ORG_FAMILIES[2]], name="orgfacets_products"),
            models.Index(fields=[*_ORG_FAMILIES[2], *_ORG_FAMILIES[0], *_ORG_FAMILIES[1]], name="orgfacets_record"),
            models.Index(fields=["sort_name"], name="orgfacets_sort_name"),
        ]

    def __str__(self) -> str:
        return f"facets of organisation {self.organisation_id}"


class FactScope(models.TextChoices):
    SITE = "site", "The site's own record"
    INHERITED = "inherited", "Its organisation's products, at a site that makes or packs finished goods"
    ORGANISATION = "organisation", "Organisation-wide, tied to no site"


class FacetGroup(models.Model):
    """Facts that hold together, for directory filters and counts: a site's own record, its organisation's
    products where that site makes or packs finished goods, or an organisation's facts tied to no site.

    Directory filters must be met by one group ("has a site in Austria that labels", not "a site in
    Austria, and labelling somewhere"), and counts are of distinct sites or organisations with such a
    group (:mod:`cxo.registry.search`). Rebuilt with the rest of the index by
    :func:`cxo.registry.facets.facets_rebuild`. Organisation-scope rows carry the organisation's
    registration and compliance record (the newest registration and the union of its sites').
    """

    organisation = models.ForeignKey("core.Organisation", on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    scope = models.CharField(max_length=12, choices=FactScope.choices)
    country = models.CharField(max_length=3, blank=True)
    kind = models.CharField(max_length=120, blank=True)
    services = models.CharField(max_length=1000, blank=True)
    dosage_forms = models.TextField(blank=True)
    routes = models.TextField(blank=True)
    substances = models.TextField(blank=True, help_text="|MOIETY|MOIETY| of its capabilities' active substances")
    evidence = models.CharField(max_length=200, blank=True)
    registration_expiry = models.DateField(null=True, blank=True)
    inspections = models.CharField(max_length=20, blank=True)
    warning_letter_on = models.DateField(null=True, blank=True)
    recall_class1_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "scope"], name="facetgroup_org"),
            models.Index(fields=["site", "scope"], name="facetgroup_site"),
            models.Index(fields=["country", "services"], name="facetgroup_country"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} facts of organisation {self.organisation_id}, site {self.site_id}"


class OrganisationAlias(models.Model):
    """Another name of an organisation: a name it had before a curator merged another entry into it.

    Name linking (:class:`cxo.registry.names.OrganisationIndex`) reads aliases like names, so a source
    that spells the merged-away name links to the organisation that absorbed it.
    """

    organisation = models.ForeignKey("core.Organisation", on_delete=models.CASCADE, related_name="registry_aliases")
    name = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="alias_unique_org_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationMerge(models.Model):
    """A curator's merge: ``merged`` was folded into ``into``; its page redirects there.

    The merged organisation's row stays (emptied of sites, capabilities, members and tenant data), so
    that its audit trail — append-only — and its slug live on; imports map its registrant DUNS to ``into``.
    """

    merged = models.OneToOneField(
        "core.Organisation", on_delete=models.PROTECT, related_name="registry_merged_into", primary_key=True
    )
    into = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="registry_merges")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"organisation {self.merged_id} merged into {self.into_id}"


class SitePlacement(models.Model):
    """A curator's decision that a site belongs to an organisation (a split): imports keep it there
    rather than move it back to the organisation its source names (e.g. the DECRS registrant)."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, primary_key=True, related_name="placement")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"site {self.site_id} placed in organisation {self.organisation_id}"
