"""The ``cxo`` command line: every Django management command, with CXO's own listed first."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxo.config.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "cxo"
    if len(argv) == 1 or (argv[1] in {"-h", "--help", "help"} and len(argv) == 2):
        _print_help()
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


def _print_help() -> None:
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    commands = get_commands()
    ours = sorted(name for name, app in commands.items() if app.startswith("cxo."))
    print("usage: cxo <command> [options]\n")
    print("CXO, the open platform for pharma outsourcing.\n")
    print("CXO commands:")
    for name in ours:
        help_text = (load_command_class(commands[name], name).help or "").strip().splitlines()
        print(f"  {name:<18} {help_text[0] if help_text else ''}")
    print("\nDjango commands (migrate, runserver, createsuperuser, …) pass through as well:")
    others = sorted(name for name in commands if name not in ours)
    line = "  "
    for name in others:
        if len(line) + len(name) > 100:
            print(line.rstrip(", "))
            line = "  "
        line += name + ", "
    print(line.rstrip(", "))
    print("\nRun 'cxo <command> --help' for a command's options.")


if __name__ == "__main__":
    main()
