"""The ``cxo`` command line: its help lists CXO's commands; ``cxo demo`` loads the demo tenants once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cxo.cli import main
from cxo.core.demo import DEMO_PASSWORD, demo_tenants_load
from cxo.core.models import AuditEvent, Membership, Organisation, User
from cxo.core.roles import PlatformPermission, platform_can


def test_help_lists_cxos_commands_first(capsys: pytest.CaptureFixture[str]) -> None:
    main(["cxo", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: cxo <command> [options]")
    ours = out.split("CXO commands:\n", 1)[1].split("\n\n", 1)[0]
    assert "  demo " in ours
    assert "Load the demo tenants and users" in ours
    assert "migrate" not in ours
    assert "migrate, " in out.split("pass through as well:", 1)[1]


def test_no_arguments_prints_the_same_help(capsys: pytest.CaptureFixture[str]) -> None:
    main(["cxo"])
    assert "CXO commands:" in capsys.readouterr().out


def test_the_installed_console_script_prints_help(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "cxo"
    assert script.exists(), f"the console script is not installed next to {sys.executable}"
    env = {**os.environ, "CXO_VAR_DIR": str(tmp_path)}
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "CXO commands:" in result.stdout
    assert "  demo " in result.stdout


def test_other_commands_pass_through_to_django(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["cxo", "migrate", "--help"])
    assert exc.value.code == 0
    assert "usage: cxo migrate" in capsys.readouterr().out


def test_demo_tenants_load_twice_changes_nothing(db: None) -> None:
    demo_tenants_load()
    counts = (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
        AuditEvent.unscoped.count(),
    )
    demo_tenants_load()
    assert (User.objects.count(), Organisation.objects.count(), Membership.objects.count()) == counts[:3]
    assert AuditEvent.unscoped.count() == counts[3]
    assert {
        (m.user.username, m.organisation.slug, m.role)
        for m in Membership.objects.select_related("user", "organisation")
    } == {
        ("sponsor", "demo-sponsor", "admin"),
        ("teammate", "demo-sponsor", "quality"),
        ("provider", "demo-provider", "admin"),
        ("outsider", "demo-outsider", "admin"),
    }
    assert User.objects.get(username="teammate").check_password(DEMO_PASSWORD)
    curator = User.objects.get(username="curator")
    assert platform_can(curator, PlatformPermission.CURATE_REGISTRY) and not curator.memberships.exists()


def test_demo_tenants_keep_what_a_user_changed(db: None) -> None:
    demo_tenants_load()
    teammate = User.objects.get(username="teammate")
    teammate.set_password("changed-by-tara-99")
    teammate.save()
    demo_tenants_load()
    teammate.refresh_from_db()
    assert teammate.check_password("changed-by-tara-99")
