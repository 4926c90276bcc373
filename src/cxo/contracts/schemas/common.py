"""Shapes every contract record shares: amounts, signatures, documents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from operator import attrgetter
from typing import Annotated, Any

from ninja import Schema

from cxo.contracts.models import ContractDocument
from cxo.core.bounds import Column
from cxo.core.models import Signature
from cxo.core.money import money_str


def amount(value: Decimal, currency: str) -> str:
    return money_str(value, currency)


def amount_resolver(field: str, currency: str) -> Any:
    """A schema's ``resolve_<field>``: ``obj.<field>`` as an amount in the currency at the dotted path ``currency``
    (``"currency"`` on the record itself, ``"work_order.currency"`` on a line of it)."""
    value_of, currency_of = attrgetter(field), attrgetter(currency)

    def resolve(obj: Any) -> str:
        return amount(value_of(obj), currency_of(obj))

    return staticmethod(resolve)


AMOUNT = "An amount in the record's currency, as a string to its minor units (ISO 4217)."


class ContractSignatureOut(Schema):
    signer: str
    signer_name: str
    meaning: str
    signed_at: dt.datetime
    content_sha256: str

    @staticmethod
    def resolve_signer(obj: Signature) -> str:
        return obj.signer_username


class ContractDocumentOut(Schema):
    id: int
    name: str
    version: int
    size: int
    content_type: str
    sha256: str
    uploaded_at: dt.datetime


class ContractDocumentIn(Schema):
    name: Annotated[str, Column(ContractDocument, "name")] = ""
    content_base64: str = ""
    content_type: str = "application/octet-stream"
