"""The side-by-side comparison: lowest and highest per line, missing and changed lines, totals, timelines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from cxo.core.models import Organisation, User
from cxo.sourcing import comparison
from cxo.sourcing.services.invitation import invitation_create
from cxo.sourcing.services.proposal import LineData, ProposalData, proposal_submit
from cxo.testing.sourcing import proposal_data


def test_comparison_marks_extremes_and_flags_missing_and_changed_lines(
    sw: SimpleNamespace, provider_b: Organisation, provider_b_user: User
) -> None:
    inv_b = invitation_create(actor=sw.sponsor_user, rfp=sw.rfp, provider=provider_b)
    first, second, _third = sw.rfp.line_items.all()
    # Bravo: cheaper first line, does not quote the third, quotes a different quantity on the second.
    proposal_submit(
        actor=provider_b_user,
        invitation=inv_b,
        data=ProposalData(
            lines=[
                LineData(first.pk, Decimal("10000"), assumption="PM 0.5 FTE"),
                LineData(second.pk, Decimal("80000"), Decimal("4"), "x"),
            ]
        ),
    )
    # Provan revises its second line.
    proposal_submit(
        actor=sw.provider_user,
        invitation=sw.rfp_invitation,
        data=proposal_data(sw.rfp, prices=["12000", "84000", "4000"], start=dt.date(2026, 8, 1)),
    )
    cmp = comparison.rfp_comparison(rfp=sw.rfp)
    assert [p.provider.name for p in cmp.proposals] == ["Bravo CRO", "Provan CDMO"]
    row1, row2, row3 = cmp.rows
    assert [(c.amount, c.lowest, c.highest) for c in row1.cells] == [
        (Decimal("60000.00"), True, False),
        (Decimal("72000.00"), False, True),
    ]
    assert row2.cells[0].quantity_changed and not row2.cells[1].quantity_changed
    assert row2.cells[1].changed and row2.cells[1].previous_unit_price == Decimal("85000.50")
    assert not row1.cells[1].changed
    assert row3.cells[0].missing and not row3.cells[0].lowest
    assert [(t.provider_name, t.total, t.lowest, t.highest, t.version) for t in cmp.totals] == [
        ("Bravo CRO", Decimal("380000.00"), False, True, 1),
        ("Provan CDMO", Decimal("336000.00"), True, False, 2),
    ]
    assert cmp.flags == 3
    assert [t.finish for t in cmp.timelines] == [None, dt.date(2026, 12, 29)]


def test_the_comparison_downloads_as_xlsx_and_pdf_named_after_the_rfp(world: SimpleNamespace) -> None:
    import io

    from conftest import login_client
    from django.urls import reverse
    from openpyxl import load_workbook

    client = login_client(world.sponsor_user)
    kwargs = {"org": world.sponsor.slug, "rfp_id": world.rfp.pk}
    xlsx = client.get(reverse("sourcing:rfp_compare_xlsx", kwargs=kwargs))
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx["Content-Disposition"] == f'attachment; filename="{world.rfp.reference}-comparison.xlsx"'
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames
    pdf = client.get(reverse("sourcing:rfp_compare_pdf", kwargs=kwargs))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="{world.rfp.reference}-comparison.pdf"'
    assert pdf.content.startswith(b"%PDF")
