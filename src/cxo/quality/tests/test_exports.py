"""What an inspector gets: the list as XLSX and PDF (with signatures), an audit report; the CLI; and a list page
whose query count does not grow with its rows."""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path
from types import SimpleNamespace

from conftest import login_client
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cxo.core.models import Organisation, User
from cxo.quality import exports
from cxo.quality.selectors.asl import asl
from cxo.quality.selectors.audits import audit_get
from cxo.registry.models import Term
from cxo.testing.quality import approved, provider_site


def pdf_text(data: bytes) -> str:
    """The text drawn in a PDF written by fpdf2 (its content streams, inflated)."""
    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            out.append(stream.decode("latin-1"))
    drawn = re.findall(r"\(((?:\\.|[^\\)])*)\)\s*Tj", "".join(out))
    return re.sub(r"\\(.)", r"\1", "".join(drawn))


def test_the_workbook_has_one_row_per_entry_with_its_signature_and_keeps_formulas_as_text(
    world: SimpleNamespace,
) -> None:
    hostile = provider_site(world.provider, name='=HYPERLINK("http://x")', fei="88001")
    approved(
        actor=world.sponsor_user,
        organisation=world.sponsor,
        site=hostile,
        service=Term.objects.get(code="svc.analysis"),
    )
    body = exports.asl_xlsx(organisation=world.sponsor, asl=asl(organisation=world.sponsor))
    ws = load_workbook(io.BytesIO(body)).active
    header = [c.value for c in ws[4]]
    assert header[:7] == ["Provider", "Site", "FEI", "DUNS", "Country", "Service", "State"]
    rows = {(r[1], r[5]): dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=5, values_only=True)}
    entry = rows[("Provan Leeds plant", "Drug product manufacture")]
    assert entry["State"] == "Approved"
    assert entry["Signed by"].endswith("(alice)")
    assert entry["Meaning"] == "site approved for the service"
    assert len(entry["Signed content SHA-256"]) == 64
    cell = next(c for c in ws["B"] if c.value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s"  # text, not a formula


def test_the_pdf_shows_each_entry_and_its_signature(world: SimpleNamespace) -> None:
    body = exports.asl_pdf(organisation=world.sponsor, asl=asl(organisation=world.sponsor))
    text = pdf_text(body)
    assert body.startswith(b"%PDF-")
    assert "Alpha Biotech: approved supplier list" in text
    assert "Provan Leeds plant" in text
    assert 'meaning "site approved for the service"' in text


def test_the_audit_report_lists_the_findings_by_class(world: SimpleNamespace) -> None:
    audit = audit_get(organisation=world.sponsor, audit_id=world.quality_audit.pk)
    text = pdf_text(exports.audit_report_pdf(audit=audit))
    assert f"Audit report {audit.reference}: Provan Leeds plant" in text
    assert "Findings (1 major)" in text
    assert "21 CFR 211.192" in text


def test_the_command_line_watches_and_exports(world: SimpleNamespace, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("quality", "watch", stdout=out)
    assert "approved qualifications checked, 0 put under review, 0 expired" in out.getvalue()
    target = tmp_path / "asl.xlsx"
    out = io.StringIO()
    call_command("quality", "asl", "--organisation", world.sponsor.slug, "--output", str(target), stdout=out)
    assert target.read_bytes()[:2] == b"PK"
    assert "entries of Alpha Biotech's approved supplier list written to" in out.getvalue()


def _page_queries(user: User, organisation: Organisation) -> int:
    client = login_client(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("quality:asl", kwargs={"org": organisation.slug}))
    assert response.status_code == 200
    return len(queries)


def test_the_list_page_runs_the_same_queries_for_three_rows_as_for_thirty(world: SimpleNamespace) -> None:
    few = _page_queries(world.sponsor_user, world.sponsor)
    service = Term.objects.get(code="svc.packaging.pack")
    for n in range(27):
        site = provider_site(world.provider, name=f"Plant {n:02d}", fei=f"7700{n:02d}")
        approved(actor=world.sponsor_user, organisation=world.sponsor, site=site, service=service)
    assert _page_queries(world.sponsor_user, world.sponsor) == few


def test_the_provider_filter_lists_each_listed_provider_and_keeps_the_choice(
    world: SimpleNamespace, provider_b: Organisation
) -> None:
    service = Term.objects.get(code="svc.packaging.pack")
    site = provider_site(provider_b, name="Bravo <Basel> lab", fei="0008887776")
    approved(actor=world.sponsor_user, organisation=world.sponsor, site=site, service=service)
    client = login_client(world.sponsor_user)
    url = reverse("quality:asl", kwargs={"org": world.sponsor.slug})
    body = client.get(url, {"provider": provider_b.pk}).content.decode()
    assert f'<option value="{provider_b.pk}" selected>Bravo CRO</option>' in body
    assert f'<option value="{world.provider.pk}">Provan CDMO</option>' in body
    assert body.count('data-testid="asl-row"') == 1 and "Bravo &lt;Basel&gt; lab" in body
