"""Forms of the contracts pages. They parse what was typed; the services decide whether it stands."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms import formset_factory

from cxo.contracts.services.terms import LineInput, MilestoneInput, TermsInput
from cxo.core.forms import CxoForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what an HTML date input reads


class SignForm(CxoForm):
    meaning = forms.CharField(max_length=255, help_text="What your signature means.")
    password = forms.CharField(widget=forms.PasswordInput, help_text="Re-enter your password to sign.")

    def __init__(self, *args: Any, meaning: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meaning"].initial = meaning


class ReasonForm(CxoForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(CxoForm):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What should change")


class ReportForm(CxoForm):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Note")


class WorkOrderForm(CxoForm):
    title = forms.CharField(max_length=200)
    agreement = forms.TypedChoiceField(coerce=int, required=False, label="Master agreement")
    site = forms.TypedChoiceField(coerce=int, required=False, label="Provider's site")
    time_and_materials = forms.BooleanField(
        required=False, label="The provider may invoice lines as time and materials"
    )
    scope = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    start_date = forms.DateField(widget=DATE, required=False)
    end_date = forms.DateField(widget=DATE, required=False)

    def __init__(
        self, *args: Any, agreements: list[tuple[int, str]], sites: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreement"].choices = [(0, "None"), *agreements]  # type: ignore[attr-defined]  # a ChoiceField
        self.fields["site"].choices = [(0, "Not named"), *sites]  # type: ignore[attr-defined]  # a ChoiceField


class ChangeOrderForm(CxoForm):
    title = forms.CharField(max_length=200)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    scope = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    start_date = forms.DateField(widget=DATE, required=False)
    end_date = forms.DateField(widget=DATE, required=False)


class LineForm(forms.Form):
    key = forms.CharField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(max_length=255, required=False)
    unit = forms.CharField(max_length=40, required=False)
    quantity = forms.DecimalField(max_digits=14, decimal_places=3, required=False)
    unit_price = forms.DecimalField(max_digits=18, decimal_places=3, required=False)


class MilestoneForm(forms.Form):
    key = forms.CharField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(max_length=200, required=False)
    due_date = forms.DateField(widget=DATE, required=False)
    amount = forms.DecimalField(max_digits=18, decimal_places=3, required=False)
    percent = forms.DecimalField(max_digits=6, decimal_places=3, required=False, label="or % of budget")
    acceptance_criteria = forms.CharField(max_length=2000, required=False)


LineFormSet = formset_factory(LineForm, extra=2)
MilestoneFormSet = formset_factory(MilestoneForm, extra=1)


def terms_initial(terms: TermsInput) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    lines = [
        {"key": x.key, "description": x.description, "unit": x.unit, "quantity": x.quantity, "unit_price": x.unit_price}
        for x in terms.lines
    ]
    milestones = [
        {
            "key": m.key,
            "name": m.name,
            "due_date": m.due_date,
            "amount": m.amount,
            "percent": m.percent,
            "acceptance_criteria": m.acceptance_criteria,
        }
        for m in terms.milestones
    ]
    return lines, milestones


def terms_from(form: forms.Form, lines: Any, milestones: Any) -> TermsInput:
    """The typed terms of valid forms; rows left blank are dropped (the service checks the rest)."""
    return TermsInput(
        scope=form.cleaned_data.get("scope") or "",
        start_date=form.cleaned_data.get("start_date"),
        end_date=form.cleaned_data.get("end_date"),
        lines=[
            LineInput(
                description=d.get("description") or "",
                unit=d.get("unit") or "",
                quantity=d.get("quantity") if d.get("quantity") is not None else Decimal(0),
                unit_price=d.get("unit_price") if d.get("unit_price") is not None else Decimal(0),
                key=d.get("key") or "",
            )
            for d in (f.cleaned_data for f in lines.forms)
            if d and (d.get("description") or d.get("key"))
        ],
        milestones=[
            MilestoneInput(
                name=d.get("name") or "",
                due_date=d.get("due_date"),
                amount=d.get("amount"),
                percent=d.get("percent"),
                acceptance_criteria=d.get("acceptance_criteria") or "",
                key=d.get("key") or "",
            )
            for d in (f.cleaned_data for f in milestones.forms)
            if d and (d.get("name") or d.get("key"))
        ],
    )


class InvoiceForm(CxoForm):
    number = forms.CharField(max_length=40, label="Invoice number")
    issue_date = forms.DateField(widget=DATE, label="Invoice date")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    document = forms.FileField(required=False, label="Invoice PDF")


class ResubmitForm(CxoForm):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Your answer to the dispute")
    document = forms.FileField(required=False, label="Corrected invoice PDF")


class PayForm(CxoForm):
    paid_on = forms.DateField(widget=DATE, label="Paid on")
    reference = forms.CharField(max_length=100, required=False, label="Payment reference")


class AgreementForm(CxoForm):
    provider = forms.TypedChoiceField(coerce=int)
    title = forms.CharField(max_length=200, initial="Master services agreement")
    currency = forms.CharField(max_length=3, initial="USD")
    payment_terms_days = forms.IntegerField(min_value=0, max_value=365, initial=30, label="Payment terms (net days)")
    effective_date = forms.DateField(widget=DATE)
    expiry_date = forms.DateField(widget=DATE, required=False)
    terms_summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    document = forms.FileField(required=False, label="Agreement document (PDF)")

    def __init__(self, *args: Any, providers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = providers  # type: ignore[attr-defined]  # a ChoiceField


class DocumentForm(CxoForm):
    document = forms.FileField(label="Next version of the document")


class PolicyForm(CxoForm):
    require_agreement = forms.BooleanField(
        required=False, label="A work order may be signed only under a master agreement in force"
    )


class MonthForm(forms.Form):
    month = forms.RegexField(regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False)
    programme = forms.IntegerField(required=False)
