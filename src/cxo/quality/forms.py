"""Forms of the quality pages. They parse input; the services validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

from cxo.core.bounds import form_field
from cxo.core.models import Signature, User
from cxo.quality.content import agreement_sections, checklist_templates, eu_variation_types, us_filing_categories
from cxo.quality.models import (
    ActionKind,
    AuditKind,
    AwardRule,
    CapaAction,
    ChangeImpact,
    ChangeKind,
    ChangeNotification,
    ChecklistResult,
    Finding,
    FindingClass,
    QualificationKind,
    QualificationStatus,
    QualityAgreement,
    QualityPolicy,
)
from cxo.quality.services.policy import BOUNDS
from cxo.registry.models import Term, Vocabulary

S = QualificationStatus
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LONG = 20_000


class Form(forms.Form):
    """The quality forms: labels without Django's trailing colon, as the rest of CXO writes them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _text(
    label: str = "", *, required: bool = True, rows: int = 3, max_length: int = LONG, **kwargs: Any
) -> forms.CharField:
    return forms.CharField(
        label=label or None,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


def service_field(*, label: str = "Service", multiple: bool = False) -> forms.ModelChoiceField[Term]:
    queryset = Term.objects.filter(vocabulary=Vocabulary.SERVICE).order_by("code")
    if multiple:
        return forms.ModelMultipleChoiceField(
            queryset=queryset, to_field_name="code", label=label, widget=forms.SelectMultiple(attrs={"size": 6})
        )
    return forms.ModelChoiceField(queryset=queryset, to_field_name="code", label=label, empty_label="Choose a service")


class SignatureForm(Form):
    """The electronic signature: the meaning and the signer's password, re-entered."""

    meaning = form_field(Signature, "meaning", help_text="What your signature means")
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), strip=False)


class QualificationAddForm(Form):
    site = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "Choose a site from the registry."})
    service = service_field()
    kind = forms.ChoiceField(choices=QualificationKind.choices, initial=QualificationKind.INITIAL)


class DecisionForm(Form):
    DECISIONS = [
        (S.APPROVED, "Approve"),
        (S.CONDITIONAL, "Approve with conditions"),
        (S.NOT_APPROVED, "Do not approve"),
        (S.DISQUALIFIED, "Disqualify"),
    ]
    decision = forms.ChoiceField(choices=DECISIONS)
    reason = _text("Reason for the decision")
    conditions = _text("Conditions", required=False, help_text="For a conditional approval: what must be done")
    conditions_due = forms.DateField(required=False, widget=DATE, label="Conditions due by")
    meaning = form_field(
        Signature, "meaning", required=False, help_text="What your signature means (a default is used)"
    )
    password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Approving, approving with conditions and disqualifying are e-signed",
    )

    def __init__(self, *args: Any, allowed: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["decision"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(v, label) for v, label in self.DECISIONS if v in allowed]


class ReasonForm(Form):
    reason = _text("Reason")


class StartForm(Form):
    kind = forms.ChoiceField(choices=QualificationKind.choices, required=False)
    reason = _text("Why", required=False)


class AuditPlanForm(Form):
    site = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "Choose a site from the registry."})
    services = service_field(label="Services audited", multiple=True)
    kind = forms.ChoiceField(choices=AuditKind.choices, initial=AuditKind.ROUTINE)
    planned_for = forms.DateField(widget=DATE)
    checklist = forms.ChoiceField(required=False, help_text="Empty: the template the first service's rule names")
    scope = _text("Scope", required=False, rows=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["checklist"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "By service")] + [(t.code, t.name) for t in checklist_templates().values()]


class ScheduleForm(Form):
    starts_on = forms.DateField(widget=DATE)
    ends_on = forms.DateField(widget=DATE)
    lead_auditor = forms.ChoiceField()
    auditors = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, members: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(u.pk), u.get_full_name() or u.get_username()) for u in members]
        for name in ("lead_auditor", "auditors"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices


class ConductForm(Form):
    conducted_on = forms.DateField(widget=DATE, label="Last day of the audit")


class FindingForm(Form):
    classification = forms.ChoiceField(choices=FindingClass.choices)
    title = form_field(Finding, "title")
    description = _text("What was found")
    clause = form_field(
        Finding, "clause", required=False, help_text="e.g. 21 CFR 211.192 (empty: the checklist line's)"
    )
    checklist_item = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Checklist line")

    def __init__(self, *args: Any, items: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["checklist_item"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *items]


class SummaryForm(Form):
    summary = _text("The report's conclusion", rows=4)


def checklist_choices() -> list[tuple[str, str]]:
    return list(ChecklistResult.choices)


class AssessCapaForm(Form):
    accept = forms.TypedChoiceField(
        label="Decision",
        choices=[("yes", "Accept the proposal"), ("no", "Return it to the provider")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    comment = _text("Comment to the provider", required=False)


class EffectivenessForm(Form):
    effective = forms.TypedChoiceField(
        label="Result of the check",
        choices=[("yes", "Effective"), ("no", "Not effective: return to the provider")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    notes = _text("How effectiveness was checked")


class ProposalForm(Form):
    """The provider's CAPA proposal: a root cause and up to ``ROWS`` actions (blank rows are ignored)."""

    ROWS = 5
    root_cause = _text("Root cause", rows=4)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(self.ROWS):
            self.fields[f"kind_{i}"] = forms.ChoiceField(choices=ActionKind.choices, required=False, label="Kind")
            self.fields[f"description_{i}"] = forms.CharField(required=False, max_length=LONG, label="Action")
            self.fields[f"owner_{i}"] = form_field(CapaAction, "owner", required=False, label="Owner", help_text="")
            self.fields[f"due_on_{i}"] = forms.DateField(required=False, widget=DATE, label="Due")

    def rows(self) -> list[dict[str, Any]]:
        return [
            {name: self[f"{name}_{i}"] for name in ("kind", "description", "owner", "due_on")} for i in range(self.ROWS)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(self.ROWS):
            if data.get(f"description_{i}") and not data.get(f"due_on_{i}"):
                self.add_error(f"due_on_{i}", "Give the action a due date.")
        return data


class ActionCompleteForm(Form):
    completed_on = forms.DateField(widget=DATE)
    note = _text("What was done", required=False, rows=2)


class AgreementForm(Form):
    provider = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "Choose a provider."})
    title = form_field(QualityAgreement, "title")
    effective_on = forms.DateField(widget=DATE)
    expires_on = forms.DateField(widget=DATE)
    sites = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, help_text="None: every site")

    def __init__(self, *args: Any, sites: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["sites"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(pk), name) for pk, name in sites or []]


class VersionForm(Form):
    effective_on = forms.DateField(widget=DATE)
    expires_on = forms.DateField(widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for section in agreement_sections():
            self.fields[f"section_{section.code}"] = _text(
                section.name, required=False, rows=3, help_text=f"{section.definition} ({section.reference})"
            )

    def sections(self) -> dict[str, str]:
        return {s.code: self.cleaned_data.get(f"section_{s.code}", "") for s in agreement_sections()}


class ChangeNotifyForm(Form):
    site = forms.TypedChoiceField(coerce=int)
    kind = forms.ChoiceField(choices=ChangeKind.choices)
    title = form_field(ChangeNotification, "title")
    description = _text("What changes, and why", rows=4)
    planned_on = forms.DateField(widget=DATE, label="Takes effect on")

    def __init__(self, *args: Any, sites: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = sites


class ChangeAssessForm(Form):
    impact = forms.ChoiceField(choices=[("", "Choose the impact"), *[c for c in ChangeImpact.choices if c[0]]])
    us_category = forms.ChoiceField(required=False, label="US filing category")
    eu_variation = forms.ChoiceField(required=False, label="EU variation type")
    notes = _text("Assessment (kept from the provider)", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        us, eu = self.fields["us_category"], self.fields["eu_variation"]
        assert isinstance(us, forms.ChoiceField) and isinstance(eu, forms.ChoiceField)
        us.choices = [("", "—")] + [(c.code, c.name) for c in us_filing_categories().values()]
        eu.choices = [("", "—")] + [(c.code, c.name) for c in eu_variation_types().values()]


class ChangeDecideForm(Form):
    decision = forms.ChoiceField(choices=[("approved", "Approve the change"), ("rejected", "Reject the change")])
    comment = _text("What the provider is told", required=False)


class PolicyForm(Form):
    award_rule = forms.ChoiceField(
        choices=AwardRule.choices, label="Awarding to a site and service not approved", widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (low, high) in BOUNDS.items():
            field = QualityPolicy._meta.get_field(name)
            assert isinstance(field, models.Field)
            self.fields[name] = forms.IntegerField(
                min_value=low, max_value=high, label=str(field.verbose_name).capitalize(), help_text=field.help_text
            )


class PeriodForm(Form):
    start = forms.DateField(widget=DATE, required=False)
    end = forms.DateField(widget=DATE, required=False)
