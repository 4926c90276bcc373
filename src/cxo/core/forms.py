from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm

from cxo.core.audit import action_label, record_type_label
from cxo.core.models import Organisation, User
from cxo.core.roles import roles_for
from cxo.core.services import SignupData


class CxoForm(forms.Form):
    """A form whose labels carry no colon: the house style puts labels above their fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class InviteForm(CxoForm):
    email = forms.EmailField()
    role = forms.ChoiceField()

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles_for(organisation.type)  # type: ignore[attr-defined]  # a ChoiceField; Django types form.fields as Field


class RoleForm(CxoForm):
    role = forms.ChoiceField()

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles_for(organisation.type)  # type: ignore[attr-defined]  # a ChoiceField; Django types form.fields as Field


class TokenForm(CxoForm):
    name = forms.CharField(max_length=100, initial="API token")


class SignupForm(UserCreationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email")

    def signup_data(self) -> SignupData:
        """The validated account, for a service to create (the form never saves it itself)."""
        d = self.cleaned_data
        return SignupData(
            username=d["username"],
            email=d.get("email") or "",
            password=d["password1"],
            first_name=d.get("first_name") or "",
            last_name=d.get("last_name") or "",
        )


class AuditFilterForm(CxoForm):
    action = forms.ChoiceField(required=False)
    object_type = forms.ChoiceField(required=False, label="Record type")
    actor = forms.ChoiceField(required=False)
    q = forms.CharField(required=False, label="Record")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, facets: dict[str, list[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels: dict[str, Callable[[str], str]] = {
            "action": action_label,
            "object_type": record_type_label,
            "actor": str,
        }
        for name, key in (("action", "actions"), ("object_type", "object_types"), ("actor", "actors")):
            choices = sorted(((v, labels[name](v)) for v in facets[key]), key=lambda c: c[1].casefold())
            self.fields[name].choices = [("", "Any"), *choices]  # type: ignore[attr-defined]  # a ChoiceField; Django types form.fields as Field
