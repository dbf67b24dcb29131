#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # Missing configuration is the person's to fix, not a crash: say what and how.
        sys.exit(f"{error} (For development, set DEBUG=true, as the Makefile does.)")


if __name__ == "__main__":
    main()
