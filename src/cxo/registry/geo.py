"""Countries and the regions sponsors search by.

Countries are ISO 3166-1 alpha-3 codes, as FDA DECRS uses them; names come from pycountry.
Every country belongs to exactly one region (a practical grouping close to the UN M49
sub-regions, merged the way outsourcing teams talk: "India and South Asia", "Europe", …).
Groups such as the European Union overlap regions and can be asked for by code as well.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import pycountry

REGION_NAMES: dict[str, str] = {
    "north_america": "North America",
    "latin_america": "Latin America & Caribbean",
    "europe": "Europe",
    "middle_east_north_africa": "Middle East & North Africa",
    "sub_saharan_africa": "Sub-Saharan Africa",
    "central_asia": "Central Asia & Caucasus",
    "south_asia": "South Asia",
    "east_asia": "East Asia",
    "southeast_asia": "Southeast Asia",
    "oceania": "Oceania",
    "antarctic": "Antarctic territories",
}

# Region -> its countries. A test checks that every pycountry country is in exactly one.
_REGION_COUNTRIES: dict[str, str] = {
    "north_america": "USA CAN BMU GRL SPM",
    "latin_america": (
        "MEX GTM BLZ SLV HND NIC CRI PAN "  # Central America
        "ARG BOL BRA CHL COL ECU FLK GUF GUY PRY PER SUR URY VEN "  # South America
        "ABW AIA ATG BES BHS BLM BRB CUB CUW CYM DMA DOM GLP GRD HTI JAM KNA LCA MAF MSR MTQ PRI "
        "SXM TCA TTO VCT VGB VIR"  # Caribbean
    ),
    "europe": (
        "ALA ALB AND AUT BEL BGR BIH BLR CHE CYP CZE DEU DNK ESP EST FIN FRA FRO GBR GGY GIB GRC HRV HUN "
        "IMN IRL ISL ITA JEY LIE LTU LUX LVA MCO MDA MKD MLT MNE NLD NOR POL PRT ROU RUS SJM SMR SRB SVK "
        "SVN SWE UKR VAT"
    ),
    "middle_east_north_africa": (
        "ARE BHR DZA EGY ESH IRN IRQ ISR JOR KWT LBN LBY MAR OMN PSE QAT SAU SDN SYR TUN TUR YEM"
    ),
    "sub_saharan_africa": (
        "AGO BDI BEN BFA BWA CAF CIV CMR COD COG COM CPV DJI ERI ETH GAB GHA GIN GMB GNB GNQ IOT KEN LBR "
        "LSO MDG MLI MOZ MRT MUS MWI MYT NAM NER NGA REU RWA SEN SHN SLE SOM SSD STP SWZ SYC TCD TGO TZA "
        "UGA ZAF ZMB ZWE"
    ),
    "central_asia": "ARM AZE GEO KAZ KGZ TJK TKM UZB",
    "south_asia": "AFG BGD BTN IND LKA MDV NPL PAK",
    "east_asia": "CHN HKG JPN KOR MAC MNG PRK TWN",
    "southeast_asia": "BRN IDN KHM LAO MMR MYS PHL SGP THA TLS VNM",
    "oceania": (
        "ASM AUS CCK COK CXR FJI FSM GUM KIR MHL MNP NCL NFK NIU NRU NZL PCN PLW PNG PYF SLB TKL TON TUV "
        "UMI VUT WLF WSM"
    ),
    "antarctic": "ATA ATF BVT HMD SGS",
}

GROUP_NAMES: dict[str, str] = {"eu": "European Union", "eea": "European Economic Area"}

_GROUP_COUNTRIES: dict[str, str] = {
    "eu": "AUT BEL BGR CYP CZE DEU DNK ESP EST FIN FRA GRC HRV HUN IRL ITA LTU LUX LVA MLT NLD POL PRT ROU SVK SVN SWE",
    # The EU and Iceland, Liechtenstein and Norway (the EEA Agreement).
    "eea": "AUT BEL BGR CYP CZE DEU DNK ESP EST FIN FRA GRC HRV HUN IRL ITA LTU LUX LVA MLT NLD POL PRT ROU SVK SVN "
    "SWE ISL LIE NOR",
}


@cache
def _country_region() -> dict[str, str]:
    return {alpha3: region for region, codes in _REGION_COUNTRIES.items() for alpha3 in codes.split()}


def country_name(alpha3: str) -> str:
    """The country's everyday English name ("South Korea", not "Korea, Republic of"); the code if unknown."""
    country = pycountry.countries.get(alpha_3=alpha3.upper()) if alpha3 else None
    if country is None:
        return alpha3
    return str(getattr(country, "common_name", None) or country.name)


def country_exists(alpha3: str) -> bool:
    """Whether ``alpha3`` is an ISO 3166-1 alpha-3 country code."""
    return bool(alpha3) and pycountry.countries.get(alpha_3=alpha3.upper()) is not None


def region_of(alpha3: str) -> str | None:
    """The region code a country belongs to (e.g. ``"south_asia"`` for ``"IND"``), or None if unknown."""
    return _country_region().get(alpha3.upper()) if alpha3 else None


def region_name(region: str) -> str:
    """The display name of a region or group code."""
    return REGION_NAMES.get(region) or GROUP_NAMES.get(region) or region


def _region_code(region: str) -> str | None:
    wanted = region.strip().lower()
    for code, name in (*REGION_NAMES.items(), *GROUP_NAMES.items()):
        if wanted in {code, name.lower()}:
            return code
    return None


def countries_in_region(region: str) -> list[str]:
    """The alpha-3 codes of a region or group, by code or display name ("europe", "EU", "South Asia").

    Raises ``KeyError`` for an unknown region, so a typo in a search filter is not an empty result.
    """
    code = _region_code(region)
    if code is None:
        known = ", ".join([*REGION_NAMES, *GROUP_NAMES])
        raise KeyError(f"Unknown region '{region}' (known: {known}).")
    codes = _REGION_COUNTRIES.get(code) or _GROUP_COUNTRIES[code]
    return sorted(codes.split())


# Country names addresses use that pycountry does not know by that spelling (lower case, no punctuation).
_COUNTRY_VARIANTS: dict[str, str] = {
    "usa": "USA",
    "us": "USA",
    "united states of america": "USA",
    "uk": "GBR",
    "england": "GBR",
    "scotland": "GBR",
    "wales": "GBR",
    "northern ireland": "GBR",
    "great britain": "GBR",
    "korea south": "KOR",
    "south korea": "KOR",
    "republic of korea": "KOR",
    "korea republic of": "KOR",
    "korea": "KOR",
    "north korea": "PRK",
    "czech republic": "CZE",
    "russia": "RUS",
    "taiwan": "TWN",
    "taiwan roc": "TWN",
    "vietnam": "VNM",
    "turkey": "TUR",
    "turkiye": "TUR",
    "iran": "IRN",
    "holland": "NLD",
    "the netherlands": "NLD",
    "macedonia": "MKD",
    "ivory coast": "CIV",
    "pr china": "CHN",
    "p r china": "CHN",
    "peoples republic of china": "CHN",
    "hong kong sar": "HKG",
    "uae": "ARE",
    "laos": "LAO",
    "syria": "SYR",
    "moldova": "MDA",
    "tanzania": "TZA",
    "bolivia": "BOL",
    "venezuela": "VEN",
}
_CODE_AT_END = re.compile(r"\(([A-Za-z]{3})\)\s*$")
_LETTERS = re.compile(r"[^a-z ]+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).replace("'", "")
    return " ".join(_LETTERS.sub(" ", plain).split())


@cache
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                names[_fold(value)] = country.alpha_3
    return {**names, **_COUNTRY_VARIANTS}


def country_from_address(address: str) -> str:
    """The ISO alpha-3 code of the country an address ends with, or "" when it names none.

    Reads a trailing "(CZE)" code, or the last comma-separated part (or the last two, for "Korea,
    South") as a country name: pycountry's names, official and common names, and common variants
    ("Czechia", "Czech Republic", "UK", "Korea, South"). Postcodes and punctuation are ignored; a US
    state ("CA 94103") is not read as a country.
    """
    text = address.strip().rstrip(".")
    if not text:
        return ""
    code = _CODE_AT_END.search(text)
    if code and country_exists(code.group(1)):
        return code.group(1).upper()
    parts = [p for p in (_fold(part) for part in text.split(",")) if p]
    names = _country_names()
    for candidate in ([" ".join(parts[-2:])] if len(parts) > 1 else []) + parts[-1:]:
        if candidate in names:
            return names[candidate]
    return ""
