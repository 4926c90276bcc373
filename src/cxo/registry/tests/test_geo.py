"""Countries and regions: every country in exactly one region, names people use, region look-ups."""

from __future__ import annotations

import csv
from collections import Counter

import pycountry
import pytest

from cxo.registry.geo import (
    _REGION_COUNTRIES,
    REGION_NAMES,
    countries_in_region,
    country_from_address,
    country_name,
    region_of,
)
from cxo.registry.importers.decrs import DEMO_FILE


def test_every_country_is_in_exactly_one_region() -> None:
    listed = Counter(code for codes in _REGION_COUNTRIES.values() for code in codes.split())
    assert {code for code, n in listed.items() if n > 1} == set()
    assert set(listed) == {c.alpha_3 for c in pycountry.countries}


def test_every_country_of_the_decrs_file_has_a_name_and_region() -> None:
    with DEMO_FILE.open(encoding="utf-8", newline="") as f:
        countries = {row["COUNTRY_ISO3"] for row in csv.DictReader(f) if row["COUNTRY_ISO3"]}
    assert len(countries) == 82
    assert all(region_of(c) in REGION_NAMES for c in countries)
    assert all(country_name(c) != c for c in countries)


@pytest.mark.parametrize(
    ("alpha3", "name", "region"),
    [
        ("USA", "United States", "north_america"),
        ("IND", "India", "south_asia"),
        ("CHN", "China", "east_asia"),
        ("KOR", "South Korea", "east_asia"),
        ("TWN", "Taiwan", "east_asia"),
        ("DEU", "Germany", "europe"),
        ("SGP", "Singapore", "southeast_asia"),
        ("BRA", "Brazil", "latin_america"),
        ("ISR", "Israel", "middle_east_north_africa"),
        ("ZAF", "South Africa", "sub_saharan_africa"),
        ("aus", "Australia", "oceania"),
    ],
)
def test_country_name_and_region(alpha3: str, name: str, region: str) -> None:
    assert country_name(alpha3) == name
    assert region_of(alpha3) == region


def test_unknown_codes() -> None:
    assert country_name("XXX") == "XXX"
    assert region_of("XXX") is None
    assert region_of("") is None


def test_countries_in_region_by_code_or_name_and_the_eu_group() -> None:
    assert countries_in_region("north_america") == ["BMU", "CAN", "GRL", "SPM", "USA"]
    assert countries_in_region("South Asia") == countries_in_region("south_asia")
    eu = countries_in_region("EU")
    assert len(eu) == 27
    assert "DEU" in eu and "GBR" not in eu and "CHE" not in eu
    assert set(eu) <= set(countries_in_region("europe"))


def test_an_unknown_region_is_an_error_not_an_empty_list() -> None:
    with pytest.raises(KeyError, match="Unknown region 'Atlantis'"):
        countries_in_region("Atlantis")


@pytest.mark.parametrize(
    ("address", "country"),
    [
        ("2348/1 Líbalova, Praha,  149 00, Czechia", "CZE"),  # the real DECRS row without COUNTRY_ISO3
        ("Na Florenci 5, Praha, Czech Republic", "CZE"),
        ("167 Songpa-daero, Songpa-gu, Seoul, - 05855, Korea, South (KOR)", "KOR"),
        ("3 Rue de la Paix, 75002 Paris, France", "FRA"),
        ("Hauptstr. 1, 10115 Berlin, Germany.", "DEU"),
        ("Plot 5, Hyderabad, India 500001", "IND"),
        ("10 Downing St, London, UK", "GBR"),
        ("Ringaskiddy, Cork, Ireland", "IRL"),
        ("1 Main St, San Francisco, CA 94103", ""),  # a US state is no country
        ("Unit 4, Industrial Estate", ""),
        ("", ""),
    ],
)
def test_country_from_address(address: str, country: str) -> None:
    assert country_from_address(address) == country
