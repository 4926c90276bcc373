"""Forms of the sourcing pages. They parse input; the services validate and decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms import formset_factory

from cxo.core.bounds import form_field
from cxo.core.models import Signature
from cxo.matching.need import (
    EVIDENCE,
    FLAG,
    NEED_FIELDS,
    NEED_FIELDS_BY_NAME,
    ORGANISATION,
    NeedField,
    evidence_choices,
    need_values,
)
from cxo.registry.models import Term
from cxo.registry.terms import TermNotFound, term_resolver
from cxo.sourcing.models import (
    EvaluationCriterion,
    Need,
    Programme,
    ProposalLine,
    ProposalMilestone,
    ProposalVersion,
    Rfp,
    RfpLineItem,
    Stage,
)


def plain(value: Decimal) -> Decimal:
    """A quantity without trailing zeros and never in exponent form (6.000 -> 6, 2.500 -> 2.5, 100 -> 100)."""
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def term_field(vocabulary: str, label: str, required: bool = False) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Term.objects.filter(vocabulary=vocabulary).order_by("sort", "name"),
        to_field_name="code",
        required=required,
        label=label,
        empty_label="—",
    )


def term_code(value: Term | None) -> str | None:
    return value.code if value is not None else None


class ProgrammeForm(forms.Form):
    # Text and number fields take their bounds from the model's columns (cxo.core.bounds).
    name = form_field(Programme, "name")
    code = form_field(Programme, "code", help_text="Your internal code, e.g. HLX-101")
    stage = forms.ChoiceField(choices=Stage.choices, label="Lifecycle stage")
    indication = form_field(Programme, "indication")
    modality = term_field("modality", "Modality")
    dosage_form = term_field("dosage_form", "Dosage form")
    route = term_field("route", "Route of administration")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    source = form_field(Programme, "source", help_text="Where the facts come from, e.g. an NCT id")
    team = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = members  # type: ignore[attr-defined]  # a ChoiceField; Django types form.fields as Field


class TermListInput(forms.Widget):
    """A need field's values as the chip field posts them: the ticked values, and what is typed (";"-separated)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        if not hasattr(data, "getlist"):
            return list(data.get(name) or [])
        return list(need_values(data)[name]) if name in NEED_FIELDS_BY_NAME else list(data.getlist(name))


class TermListField(forms.Field):
    """A list of terms of one vocabulary, each read by the one resolver; cleans to their codes."""

    widget = TermListInput

    def __init__(self, *, need_field: NeedField, **kwargs: Any) -> None:
        self.need_field = need_field
        super().__init__(required=False, label=need_field.label, **kwargs)

    def clean(self, value: Any) -> list[str]:
        values = [str(v).strip() for v in value or [] if str(v).strip()]
        if self.need_field.kind == ORGANISATION:
            return values  # ids or slugs, checked when matching
        try:
            return [r.code for r in term_resolver().resolve_all(self.need_field.kind, values)]
        except TermNotFound as exc:
            raise forms.ValidationError(exc.message) from exc


CRITERION_HELP = {
    "substance": "Any salt or hydrate form; a capability of a service asked for names it",
    "exclude_flagged": "Sites whose latest FDA inspection was OAI, or with a warning letter or a Class I recall, "
    "in five years",
}


def _criterion_field(f: NeedField) -> forms.Field:
    if f.kind == FLAG:
        return forms.BooleanField(required=False, label=f.label)
    if f.kind == EVIDENCE:
        return forms.MultipleChoiceField(
            required=False, label=f.label, choices=evidence_choices, widget=forms.CheckboxSelectMultiple
        )
    if not f.many:
        return forms.CharField(
            required=False, label=f.label, widget=forms.TextInput(attrs={"placeholder": f.placeholder})
        )
    return TermListField(need_field=f)


class NeedForm(forms.Form):
    """A sourcing need: what it is (title, quantity, dates) and every matching criterion (``NEED_FIELDS``)."""

    title = form_field(Need, "title", help_text="e.g. Phase II clinical supply of film-coated tablets")
    quantity = form_field(Need, "quantity", min_value=Decimal("0"))
    unit = form_field(Need, "unit", help_text="batches, kg, patients, sites…")
    start_by = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    finish_by = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in NEED_FIELDS:
            self.fields[f.name] = _criterion_field(f)
        for name, text in CRITERION_HELP.items():
            self.fields[name].help_text = text

    def basic_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("title", "quantity", "unit", "start_by", "finish_by", "description")]

    def chip_fields(self) -> list[tuple[NeedField, list[tuple[str, str]], str]]:
        """(field, [(value, label)], error) of each list criterion, for ``matching/_chip_field.html``."""
        resolver = term_resolver()
        out = []
        for f in NEED_FIELDS:
            if not (f.many and (f.is_term or f.kind == ORGANISATION)):
                continue
            bound = self[f.name]
            values = bound.value() or []
            if isinstance(values, str):
                values = [values]
            chips = [(v, resolver.label(f.kind, v) if f.is_term else v) for v in values]
            out.append((f, chips, " ".join(str(e) for e in bound.errors)))
        return out

    def other_fields(self) -> list[forms.BoundField]:
        return [self[f.name] for f in NEED_FIELDS if not f.many or f.kind == EVIDENCE]

    def criteria(self) -> dict[str, Any]:
        """The matching need (``cxo.matching.need.NEED_FIELDS``) this form describes: the fields that are set."""
        d = self.cleaned_data
        return {f.name: d[f.name] for f in NEED_FIELDS if d.get(f.name)}

    @classmethod
    def initial_from(cls, criteria: dict[str, Any]) -> dict[str, Any]:
        """Initial values for editing a need: every criterion it holds, whole."""
        return {f.name: criteria[f.name] for f in NEED_FIELDS if f.name in criteria}

    @classmethod
    def initial_for(cls, programme: Programme) -> dict[str, Any]:
        """A new need starts from its programme's dosage form, route and modality."""
        terms = {"dosage_forms": programme.dosage_form, "routes": programme.route, "modalities": programme.modality}
        return {name: [term.code] for name, term in terms.items() if term is not None}


class RfpForm(forms.Form):
    title = form_field(Rfp, "title")
    scope = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    deliverables = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    timeline = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    currency = form_field(Rfp, "currency", initial="USD")
    response_deadline = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="UTC",
    )


class LineItemForm(forms.Form):
    description = form_field(RfpLineItem, "description", required=False)
    unit = form_field(RfpLineItem, "unit", required=False)
    quantity = form_field(RfpLineItem, "quantity", required=False)
    assumption_prompt = form_field(
        RfpLineItem, "assumption_prompt", label="Assumption bidders must state", help_text=""
    )


class QuestionForm(forms.Form):
    text = forms.CharField(max_length=1000, required=False, label="Question")


class CriterionForm(forms.Form):
    name = form_field(EvaluationCriterion, "name", required=False)
    weight = forms.IntegerField(min_value=0, max_value=100, required=False)
    description = form_field(EvaluationCriterion, "description")


LineItemFormSet = formset_factory(LineItemForm, extra=2)
QuestionFormSet = formset_factory(QuestionForm, extra=2)
CriterionFormSet = formset_factory(CriterionForm, extra=1)


class InviteForm(forms.Form):
    provider = forms.IntegerField(widget=forms.HiddenInput)
    email = forms.EmailField(required=False, help_text="Only for a provider with no users on CXO yet")


class DocumentForm(forms.Form):
    file = forms.FileField()


class CancelForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    publish = forms.BooleanField(required=False, label="Publish to all invitees (the asker is not named)")


class DeclineForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why do you decline?")


class AskForm(forms.Form):
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class ClaimRequestForm(forms.Form):
    message = forms.CharField(
        label="Who you are at the company",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Your position, and how a curator can check it (a colleague, the company's site).",
    )


class ProposalForm(forms.Form):
    """The bid grid: one unit price (and assumption) per RFP line, plus the proposal's free text."""

    assumptions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    exceptions = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    timeline_summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Timeline")
    note = form_field(ProposalVersion, "note", label="What changed in this revision", help_text="")
    documents = forms.FileField(required=False, widget=forms.ClearableFileInput(attrs={"multiple": False}))

    def __init__(self, *args: Any, rfp: Rfp, milestones: int = 4, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rfp = rfp
        for item in rfp.line_items.all():
            self.fields[f"price_{item.pk}"] = form_field(
                ProposalLine, "unit_price", label=f"Unit price: {item.description}"
            )
            self.fields[f"qty_{item.pk}"] = form_field(
                ProposalLine, "quantity", required=False, initial=plain(item.quantity)
            )
            self.fields[f"assumption_{item.pk}"] = forms.CharField(max_length=1000, required=False)
        for q in rfp.questions.all():
            self.fields[f"answer_{q.pk}"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 2}), required=False, label=q.text
            )
        self.milestone_count = milestones
        for i in range(milestones):
            self.fields[f"ms_name_{i}"] = form_field(ProposalMilestone, "name", required=False)
            self.fields[f"ms_date_{i}"] = forms.DateField(
                required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            )

    def grid(self) -> list[tuple[Any, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (item, self[f"price_{item.pk}"], self[f"qty_{item.pk}"], self[f"assumption_{item.pk}"])
            for item in self.rfp.line_items.all()
        ]

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[f"answer_{q.pk}"] for q in self.rfp.questions.all()]

    def milestone_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"ms_name_{i}"], self[f"ms_date_{i}"]) for i in range(self.milestone_count)]


class ScoreForm(forms.Form):
    def __init__(self, *args: Any, criteria: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"score_{c.pk}"] = forms.IntegerField(
                min_value=0, max_value=10, label=f"{c.name} ({c.weight}%)"
            )
            self.fields[f"comment_{c.pk}"] = forms.CharField(max_length=1000, required=False)

    def rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]


class AwardForm(forms.Form):
    proposal = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label="Award to")
    meaning = form_field(
        Signature, "meaning", initial="award approved", label="Meaning of your signature", help_text=""
    )
    password = forms.CharField(widget=forms.PasswordInput, label="Your password (to sign)")
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, proposals: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proposal"].choices = [  # type: ignore[attr-defined]  # a ChoiceField; Django types form.fields as Field
            (
                p.pk,
                f"{p.provider.name} — version {p.current_version.number}, "
                f"{p.current_version.currency} {p.current_version.total:,.2f}",
            )
            for p in proposals
        ]
