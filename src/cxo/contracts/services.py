"""Work orders: writes."""

from __future__ import annotations

from django.db import transaction

from cxo.contracts.models import BudgetLine, Milestone, WorkOrder
from cxo.core.audit import audit_record
from cxo.core.models import User
from cxo.sourcing.models import Award


@transaction.atomic
def work_order_create_from_award(*, actor: User, award: Award) -> WorkOrder:
    """A draft work order for the awarded provider: budget from the priced bid grid, milestones from its timeline."""
    version = award.version
    rfp = award.rfp
    lines = list(version.lines.select_related("line_item").filter(unit_price__isnull=False))
    work_order = WorkOrder.objects.create(
        organisation=award.organisation,
        provider=award.proposal.provider,
        award=award,
        reference=f"WO-{rfp.reference}",
        title=rfp.title,
        currency=version.currency,
        budget_total=sum((ln.amount for ln in lines if ln.amount is not None), version.total * 0),
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(
            work_order=work_order,
            position=i,
            description=ln.line_item.description,
            unit=ln.line_item.unit,
            quantity=ln.quantity,
            unit_price=ln.unit_price or 0,
            amount=ln.amount or 0,
        )
        for i, ln in enumerate(lines)
    )
    Milestone.objects.bulk_create(
        Milestone(work_order=work_order, position=i, name=m.name, due_date=m.due_date)
        for i, m in enumerate(version.milestones.all())
    )
    changes = {"budget_total": [None, str(work_order.budget_total)], "provider": [None, work_order.provider.name]}
    audit_record(
        actor=actor, organisation=award.organisation, action="work_order.create", obj=work_order, changes=changes
    )
    audit_record(
        actor=actor, organisation=work_order.provider, action="work_order.create", obj=work_order, changes=changes
    )
    return work_order
