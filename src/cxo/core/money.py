"""Money: ``Decimal`` amounts in a currency, to that currency's minor units (ISO 4217), never converted.

The places come from ISO 4217's own table (the ``iso4217`` package ships it: JPY 0, USD 2, KWD 3).
Amounts are stored with :data:`STORED_PLACES` places, enough for every currency CXO accepts, and
each is rounded to its currency's places by the server; totals are kept per currency
(:class:`CurrencyTotals`), since CXO invents no exchange rates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

import iso4217

from cxo.core.errors import ServiceError

#: Places of every stored amount: the most that an accepted currency has (KWD, BHD, OMR … have 3).
STORED_PLACES = 3
ZERO = Decimal(0)


@cache
def _places(code: str) -> int | None:
    try:
        return iso4217.Currency(code).exponent
    except ValueError:
        return None


def currency_check(code: str, *, field: str = "currency") -> str:
    """The ISO 4217 code, upper-cased; ServiceError for an unknown code or one without minor units (gold, XXX)."""
    code = (code or "").strip().upper()
    places = _places(code) if len(code) == 3 else None
    if places is None:
        raise ServiceError(f"'{code}' is not an ISO 4217 currency code (for example USD, EUR, JPY).", field=field)
    if places > STORED_PLACES:
        raise ServiceError(f"{code} has {places} minor units; CXO keeps amounts to {STORED_PLACES}.", field=field)
    return code


def minor_units(currency: str) -> int:
    """How many decimal places amounts in ``currency`` have (USD 2, JPY 0, KWD 3)."""
    places = _places(currency)
    if places is None:
        raise ServiceError(f"'{currency}' is not an ISO 4217 currency code.", field="currency")
    return places


@cache
def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def money_round(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half-up to the currency's minor unit (a computed amount: quantity times unit price)."""
    return amount.quantize(_quantum(currency), rounding=ROUND_HALF_UP)


def money_parse(value: object, currency: str, *, label: str, field: str = "", allow_zero: bool = True) -> Decimal:
    """A typed amount: a number not below zero, with no more places than the currency has; ServiceError otherwise."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError(f"{label}: '{value}' is not an amount.", field=field or None) from exc
    if not amount.is_finite() or amount < 0 or (amount == 0 and not allow_zero):
        raise ServiceError(
            f"{label} must be {'zero or more' if allow_zero else 'more than zero'}.", field=field or None
        )
    places = minor_units(currency)
    if amount != amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):
        unit = "no minor units" if places == 0 else f"{places} decimal places"
        raise ServiceError(f"{label}: {amount} has more places than {currency} ({unit}).", field=field or None)
    return money_round(amount, currency)


def money_str(amount: Decimal, currency: str) -> str:
    """The plain amount to the currency's places, for CSV and JSON: ``1234.50``, ``1235`` for JPY."""
    return f"{money_round(amount, currency):f}"


def money_display(amount: Decimal, currency: str) -> str:
    """The amount for people: grouped, to the currency's places (``1,234.50``)."""
    return f"{money_round(amount, currency):,.{minor_units(currency)}f}"


class CurrencyTotals(Mapping[str, Decimal]):
    """Sums kept per currency, in currency order: ``totals.add("USD", x)``; never added across currencies."""

    def __init__(self, items: Iterable[tuple[str, Decimal]] = ()) -> None:
        self._sums: dict[str, Decimal] = {}
        for currency, amount in items:
            self.add(currency, amount)

    def add(self, currency: str, amount: Decimal) -> None:
        self._sums[currency] = self._sums.get(currency, ZERO) + amount

    def __getitem__(self, currency: str) -> Decimal:
        return self._sums.get(currency, ZERO)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._sums))

    def __len__(self) -> int:
        return len(self._sums)

    def __repr__(self) -> str:
        return f"CurrencyTotals({dict(self.items())!r})"
