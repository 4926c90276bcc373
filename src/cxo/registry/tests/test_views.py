"""Registry pages: sign-in required, facets and chips, HTMX fragments, bad filters, detail pages with evidence."""

from __future__ import annotations

import re
from html import unescape
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import login_client
from django.test import Client
from django.urls import reverse

from cxo.core.models import Organisation, User
from cxo.registry.facets import facets_rebuild
from cxo.registry.models import FacetGroup, SiteFacets
from cxo.testing.registry_factories import SiteFactory, capability_with_evidence

pytestmark = pytest.mark.django_db

PAGES = ["registry:directory", "registry:organisations", "registry:stats", "registry:imports"]


@pytest.fixture
def client_in(small_registry: SimpleNamespace, outsider: User) -> Client:
    """Any signed-in user reads the registry: here the outsider persona, a member of an unrelated sponsor."""
    return login_client(outsider)


def text(response: Any) -> str:
    """The page's visible text, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_sign_in(small_registry: SimpleNamespace, name: str) -> None:
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_detail_pages_need_sign_in(small_registry: SimpleNamespace) -> None:
    for url in (
        reverse("registry:site", kwargs={"site_id": small_registry.newark.pk}),
        reverse("registry:organisation", kwargs={"slug": "acme-pharma"}),
    ):
        assert Client().get(url).status_code == 302


def test_directory_shows_facets_with_counts_and_results(client_in: Client) -> None:
    response = client_in.get(reverse("registry:directory"))
    assert response.status_code == 200
    page = text(response)
    assert "6 sites" in page
    html = response.content.decode()
    # Each facet value is a link that adds it to the query, with its count.
    assert re.search(r'href="\?country=IND"[^>]*data-code="IND"[^>]*>\s*<span class="facet-name">India</span>'
                     r'<span class="count">2</span>', html)  # fmt: skip
    assert 'href="?service=svc.mfg.api"' in html
    assert "Drug substance (API) manufacture" in page
    assert "Acme Hyderabad" in page and "Delta Feed Mill" in page
    assert 'class="chips"' not in html  # nothing chosen yet
    assert "Registry" in page  # the main navigation links here


def test_active_filters_are_chips_that_remove_themselves(client_in: Client) -> None:
    response = client_in.get(reverse("registry:directory"), {"country": ["IND", "CHN"], "service": "svc.mfg"})
    html = response.content.decode()
    page = text(response)
    assert "2 sites" in page
    assert "Country: India ×" in page and "Country: China ×" in page  # noqa: RUF001
    assert "Service: Manufacturing ×" in page  # noqa: RUF001
    # Removing India keeps China and the service; the selected facet value links to the same place.
    assert html.count('href="?country=CHN&amp;service=svc.mfg"') == 2
    assert 'href="?country=IND&amp;country=CHN"' in html  # remove the service
    assert 'aria-current="true"' in html
    # The search form carries the filters along.
    assert '<input type="hidden" name="country" value="IND">' in html


def test_htmx_requests_get_the_fragment(client_in: Client) -> None:
    url = reverse("registry:directory")
    fragment = client_in.get(url, {"country": "IND"}, HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert body.lstrip().startswith('<div id="directory"')
    assert "<html" not in body
    assert "2 sites" in text(fragment)
    restore = client_in.get(url, {"country": "IND"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode()


def test_a_term_that_names_nothing_refuses_the_search_with_suggestions(client_in: Client) -> None:
    response = client_in.get(reverse("registry:directory"), {"country": ["IND", "Narnia"], "service": "nonsense"})
    assert response.status_code == 200
    page = text(response)
    assert "Unknown country 'Narnia'" in page
    assert "Unknown service 'nonsense'" in page
    assert "No sites match" in page and "No site is listed until the filter names a term" in page
    assert "Acme" not in re.sub(r"Filters.*", "", page.split("No sites match")[1])  # no row, not every row
    typo = client_in.get(reverse("registry:directory"), {"service": "fil finsh"})
    assert "Did you mean: Sterile / aseptic fill-finish" in text(typo)
    for word in ("xyz",):
        for param in ("service", "dosage_form", "route", "country", "region"):
            refused = text(client_in.get(reverse("registry:directory"), {param: word}))
            assert f"'{word}'" in refused and "No sites match" in refused, param
    fragment = client_in.get(reverse("registry:directory"), {"kind": "giant"}, HTTP_HX_REQUEST="true")
    assert "Unknown organisation role 'giant'" in text(fragment)  # other bad values are dropped, with a message
    assert "That filter was left out" in text(fragment)


def test_directory_filters_read_everyday_words(client_in: Client) -> None:
    url = reverse("registry:directory")
    by_code = text(client_in.get(url, {"country": "IND", "service": "svc.analysis"}))
    for country in ("India", "IN", "ind"):
        words = text(client_in.get(url, {"country": country, "service": "analytical testing"}))
        assert words == by_code
    assert "Country: India" in by_code


def test_pages_and_sort(client_in: Client, small_registry: SimpleNamespace) -> None:
    url = reverse("registry:directory")
    for i in range(30):
        site = SiteFactory.create(organisation=small_registry.delta, name=f"Delta Depot {i:02d}", country="USA")
        capability_with_evidence(site=site, service="svc.distribution.distribute")
    facets_rebuild()
    first = client_in.get(url)
    assert "36 sites · showing 1–25" in text(first)  # noqa: RUF001
    assert 'href="?page=2" rel="next"' in first.content.decode()
    second = client_in.get(url, {"page": "2"})
    assert "showing 26–36" in text(second)  # noqa: RUF001
    assert client_in.get(url, {"page": "99"}).context["result"].page == 2  # past the end: the last page
    assert client_in.get(url, {"page": "x"}).context["result"].page == 1
    descending = client_in.get(url, {"sort": "-name"}).context["result"]
    assert descending.hits[0].site.name == "Delta Feed Mill"


def test_directory_queries_do_not_grow_with_the_page(
    client_in: Client, small_registry: SimpleNamespace, django_assert_max_num_queries: Any
) -> None:
    url = reverse("registry:directory")
    client_in.get(url)  # warm the session, and read the index's fact groups into memory
    with django_assert_max_num_queries(11) as few:
        client_in.get(url)
    limit = len(few)
    for i in range(20):
        site = SiteFactory.create(organisation=small_registry.acme, name=f"Acme Depot {i}", country="IND")
        capability_with_evidence(site=site, service="svc.packaging.pack")
    facets_rebuild()
    client_in.get(url)  # the index changed: its groups are read again, once
    with django_assert_max_num_queries(limit):
        client_in.get(url)


def test_organisation_directory(client_in: Client) -> None:
    response = client_in.get(reverse("registry:organisations"), {"country": "IND"})
    page = text(response)
    assert "2 organisations" in page
    assert "Acme Pharma" in page and "Bharat Analytics" in page
    assert "India, United States" in page  # Acme's countries


def test_organisation_page_shows_kind_why_sites_and_evidence(
    client_in: Client, small_registry: SimpleNamespace, django_assert_max_num_queries: Any
) -> None:
    url = reverse("registry:organisation", kwargs={"slug": "acme-pharma"})
    response = client_in.get(url)
    assert response.status_code == 200
    page = text(response)
    assert "Roles: Contract manufacturer" in page
    assert small_registry.acme.kind_reason in page
    assert "Acme Newark" in page and "Acme Hyderabad" in page
    # Evidence: source kind, reference and observed date; the organisation-wide NDC listing.
    assert "FDA establishment registration FEI 3001234567 · observed 15 Jan 2025" in page
    assert "Organisation-wide" in page
    assert "NDC product listing NDC 12345-678 · observed 29 Apr 2019" in page
    assert "TABLET" not in page
    assert '<span class="part">Tablet</span><span class="part">Oral</span>' in response.content.decode()
    # Provenance: the import runs behind the evidence.
    assert f"DECRS import #{small_registry.run.pk}" in page and f"NDC import #{small_registry.ndc_run.pk}" in page
    # More sites and capabilities, same number of queries.
    with django_assert_max_num_queries(20) as few:
        client_in.get(url)
    for i in range(5):
        site = SiteFactory.create(organisation=small_registry.acme, name=f"Acme Depot {i}")
        capability_with_evidence(site=site, service="svc.packaging.label", import_run=small_registry.run)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client_in.get(url)


def test_site_page(client_in: Client, small_registry: SimpleNamespace, during_fy2025: None) -> None:
    response = client_in.get(reverse("registry:site", kwargs={"site_id": small_registry.hyderabad.pk}))
    page = text(response)
    assert "Plot 12, Genome Valley, Hyderabad" in page
    assert "India IND · South Asia" in page
    assert "DUNS 222222222" in page
    assert "FEI 3002222222" in page
    assert "Expires 31 Dec 2025" in page
    assert "Registration current" in page and "Registered with FDA until 31 Dec 2025." in page
    assert "import the current file" not in page  # the FY2025 file is current on this day
    assert "US agent Acme US Agent LLC DUNS 999999999" in page
    assert "Drug product manufacture FDA establishment registration FEI 3002222222 · observed 15 Jan 2025" in page
    assert "Organisation-wide capabilities" in page
    assert "NDC 12345-678 · observed 29 Apr 2019" in page


def test_a_placeholder_fei_shows_as_not_assigned(client_in: Client, small_registry: SimpleNamespace) -> None:
    page = text(client_in.get(reverse("registry:site", kwargs={"site_id": small_registry.mainz.pk})))
    assert "FEI not assigned" in page


def test_unknown_site_and_tenant_organisations_are_404(client_in: Client, sponsor: Organisation) -> None:
    assert client_in.get(reverse("registry:site", kwargs={"site_id": 999999})).status_code == 404
    assert client_in.get(reverse("registry:organisation", kwargs={"slug": sponsor.slug})).status_code == 404


def test_stats_page_draws_sites_per_country(client_in: Client) -> None:
    response = client_in.get(reverse("registry:stats"))
    html = response.content.decode()
    page = text(response)
    assert "6 sites" in page and "4 organisations" in page
    chart = html[html.index('data-testid="sites-per-country"') :]
    chart = chart[: chart.index("</figure>")]
    bars = re.findall(r'<a href="/registry/\?country=(\w+)">\s*<text[^>]*>([^<]+)</text>\s*<rect[^>]*width="([\d.]+)"',
                      chart)  # fmt: skip
    assert [(code, label) for code, label, _ in bars] == [
        ("IND", "India"), ("USA", "United States"), ("CHN", "China"), ("DEU", "Germany"),
    ]  # fmt: skip
    widths = [float(w) for _, _, w in bars]
    assert widths[0] == widths[1] == 2 * widths[2] > 0
    assert "cdn" not in html.lower()


def test_import_runs_page(client_in: Client, small_registry: SimpleNamespace) -> None:
    page = text(client_in.get(reverse("registry:imports")))
    run = small_registry.run
    assert f"#{run.pk} DECRS drls_reg_2025_redacted.csv sha256 {run.checksum[:16]}" in page
    assert "curator" in page and "Succeeded" in page
    assert "NDC product.txt.gz" in page


def test_an_empty_index_over_real_sites_says_how_to_rebuild_it(client_in: Client) -> None:
    SiteFacets.objects.all().delete()
    FacetGroup.objects.all().delete()
    assert "run cxo registry_reindex" in text(client_in.get(reverse("registry:directory")))
    facets_rebuild()
    assert "cxo registry_reindex" not in text(client_in.get(reverse("registry:directory")))


def test_detail_pages_show_newest_evidence_and_load_the_rest(
    heavy_registry: SimpleNamespace, outsider: User, django_assert_max_num_queries: Any
) -> None:
    client = login_client(outsider)
    # session and user, the eight of organisation_get, then the nav: memberships, unread notifications, platform role
    with django_assert_max_num_queries(13):
        page = client.get(reverse("registry:organisation", kwargs={"slug": "heavy-labeler"}))
    html = page.content.decode()
    assert html.count("NDC 0") == 10  # five per capability group, of 300
    assert "250 records" in text(page)
    assert "and 245 more" in text(page) and "and 45 more" in text(page)
    more = reverse("registry:evidence", kwargs={"capability_id": heavy_registry.tablet.pk})
    assert f"{more}?offset=5&amp;group=1" in html
    fragment = client.get(more, {"offset": "5", "group": "1"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert fragment.content.decode().count("<li") == 51  # fifty records and the next "more"
    assert "and 195 more" in text(fragment) and "offset=55" in fragment.content.decode()
    assert "Heavy West" in text(fragment)
    last = client.get(more, {"offset": "200", "group": "1"})
    assert last.content.decode().count("<li") == 50 and "more" not in text(last)

    site = client.get(reverse("registry:site", kwargs={"site_id": heavy_registry.east.pk}))
    assert site.content.decode().count("NDC 0") == 10 and "and 145 more" in text(site) and "and 45 more" in text(site)
    own = client.get(more, {"offset": 5})
    assert own.content.decode().count("<li") == 51 and "and 95 more" in text(own)
    assert client.get(reverse("registry:evidence", kwargs={"capability_id": 0})).status_code == 404
