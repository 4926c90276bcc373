"""The money tables (figures per work order with totals per currency, accruals per milestone), built here with
every text escaped: a sponsor's 200 work orders and 1,000 accrual rows are string joins, not 20,000 template
variables (``bench/contracts.py`` measures the pages)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from cxo.contracts.selectors.money import AccrualRow, Figures, MoneyRow
from cxo.core.money import money_display

FIGURE_HEADS = ("Budget", "Committed", "Accepted", "Invoiced", "Paid", "Remaining", "Accrued")
NAMES = ("budget", "committed", "accepted", "invoiced", "paid", "remaining", "accrued")


def _num(value: object, cls: str = "num") -> str:
    return f'<td class="{cls}">{value}</td>'


def _cells(f: Figures, *, tag: str = "td", first_code: bool = True) -> str:
    cur = f.currency
    out = []
    for i, name in enumerate(NAMES):
        text = money_display(getattr(f, name), cur)
        attrs = f' data-testid="accrued-{escape(cur)}"' if tag == "th" and name == "accrued" else ""
        out.append(f'<{tag} class="num"{attrs}>{escape(cur) + " " if i == 0 and first_code else ""}{text}</{tag}>')
    return "".join(out)


def figures_table(
    rows: Sequence[MoneyRow], totals: dict[str, Figures], *, organisation_slug: str, testid: str
) -> SafeString:
    """Budget against actual per work order (late ones first), then one total row per currency."""
    base = reverse("contracts:work_order_list", kwargs={"org": organisation_slug})
    heads = "".join(f'<th class="num">{h}</th>' for h in FIGURE_HEADS)
    body = []
    for r in rows:
        wo = r.work_order
        late = f' <span class="badge bad">{r.late} late</span>' if r.late else ""
        body.append(
            f'<tr data-work-order="{escape(wo.reference)}"><td><a href="{base}{wo.pk}/">{escape(wo.reference)}</a>'
            f"{late}<br><small>{escape(wo.get_status_display())}</small></td><td>{escape(wo.provider.name)}</td>"
            f"{_cells(r.figures)}</tr>"
        )
    foot = "".join(
        f'<tr data-currency="{escape(cur)}"><th colspan="2">Total {escape(cur)}</th>{_cells(f, tag="th")}</tr>'
        for cur, f in totals.items()
    )
    return mark_safe(  # every text above is escaped
        f'<div class="table-wrap"><table data-testid="{escape(testid)}"><thead><tr><th>Work order</th>'
        f"<th>Provider</th>{heads}</tr></thead><tbody>{''.join(body)}</tbody><tfoot>{foot}</tfoot></table></div>"
    )


def accruals_table(accruals: Sequence[AccrualRow], *, month_end_label: str) -> SafeString:
    """One row per accepted milestone with something not invoiced by the month's end."""
    body = "".join(
        f"<tr><td>{escape(a.work_order.reference)} <small>{escape(a.work_order.provider.name)}</small></td>"
        f"<td>{escape(a.milestone)}</td><td>{a.accepted_on:%d %b %Y}</td>"
        f"{_num(escape(a.currency) + ' ' + money_display(a.accepted, a.currency))}"
        f"{_num(money_display(a.invoiced, a.currency))}{_num(money_display(a.accrued, a.currency))}</tr>"
        for a in accruals
    )
    return mark_safe(  # every text above is escaped
        '<div class="table-wrap"><table data-testid="accruals"><thead><tr><th>Work order</th><th>Milestone</th>'
        '<th>Accepted on</th><th class="num">Accepted</th>'
        f'<th class="num">Invoiced by {escape(month_end_label)}</th><th class="num">Accrued</th></tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )
