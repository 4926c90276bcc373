"""Importers on damaged input: a corrupt ``.gz`` and NUL characters are clear errors, and runs say who ran them."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from cxo.core.models import User
from cxo.registry.importers import ImportFailed, registry_import
from cxo.registry.importers.decrs import DecrsImporter
from cxo.registry.models import ImportRun, Site
from cxo.registry.tests.test_import_ndc import PRODUCTS
from cxo.registry.tests.test_importers_decrs import SAMPLE, write_variant
from cxo.testing.api import Api


def _corrupt(data: bytes) -> bytes:
    """A gzip stream whose deflate data is overwritten in the middle (zlib: invalid block or distance)."""
    packed = bytearray(gzip.compress(data))
    middle = len(packed) // 2
    packed[middle : middle + 64] = b"\xff" * 64
    return bytes(packed)


@pytest.mark.parametrize(
    ("damage", "why"),
    [(_corrupt, "corrupt"), (lambda data: gzip.compress(data)[:-200], "truncated")],
    ids=["corrupt", "truncated"],
)
def test_a_damaged_gz_is_a_clear_error_naming_the_file(
    db: None, tmp_path: Path, damage: Callable[[bytes], bytes], why: str
) -> None:
    path = tmp_path / "product.txt.gz"
    path.write_bytes(damage(PRODUCTS.read_bytes()))
    with pytest.raises(CommandError) as caught:
        call_command("import", "ndc", str(path), stdout=StringIO())
    message = str(caught.value)
    assert "product.txt.gz" in message
    assert "is not a readable gzip file" in message
    assert "download it again" in message
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    assert "product.txt.gz is not a readable gzip file" in run.error


def test_a_nul_character_in_a_row_rejects_that_row_with_its_line(db: None, tmp_path: Path) -> None:
    path = write_variant(tmp_path, {3: {"FIRM_NAME": "Nul\x00 Pharma"}})
    with pytest.raises(ImportFailed) as caught:
        registry_import(actor=None, importer=DecrsImporter(), path=path)
    assert caught.value.message.splitlines()[1] == "line 5: FIRM_NAME contains a NUL character"
    assert not Site.objects.exists()
    result = registry_import(actor=None, importer=DecrsImporter(), path=path, skip_bad=True)
    assert (result.created, result.rejected) == (199, 1)


def test_import_runs_show_the_command_and_cli_not_the_machine_account(db: None, sponsor_user: User) -> None:
    call_command("import", "decrs", str(SAMPLE), stdout=StringIO())
    User.objects.create_user(username="curator", password="x")
    call_command("import", "ndc", str(PRODUCTS), "--user", "curator", stdout=StringIO())
    cli_run, curator_run = ImportRun.objects.order_by("pk")
    assert (cli_run.actor_label, cli_run.run_by, cli_run.command) == ("cli", "cli", "cxo import decrs decrs_sample.csv")
    assert (curator_run.run_by, curator_run.command) == ("curator", "cxo import ndc ndc_products.txt")

    runs = Api(sponsor_user)("GET", "/registry/imports")["results"]
    assert [(r["actor"], r["command"]) for r in runs] == [
        ("curator", "cxo import ndc ndc_products.txt"),
        ("cli", "cxo import decrs decrs_sample.csv"),
    ]
    page = Client()
    page.force_login(sponsor_user, backend="django.contrib.auth.backends.ModelBackend")
    html = page.get("/registry/imports/").content.decode()
    assert "cxo import decrs decrs_sample.csv" in html
    assert "cli:" not in html
    for obj in (cli_run, curator_run):
        assert obj.actor_label != "cli:root"


def test_a_run_recorded_before_with_the_machine_account_shows_cli(db: None) -> None:
    run = ImportRun.objects.create(source="ndc", file_name="product.txt", checksum="0" * 64, actor_label="cli:root")
    assert run.run_by == "cli"
