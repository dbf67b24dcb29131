#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        # Loaded here, before Django's command runner: it swallows a settings error and goes on
        # to run the command unconfigured, which then fails far from the cause.
        settings.INSTALLED_APPS  # noqa: B018
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # Missing configuration is the person's to fix, not a crash: say what and how.
        sys.exit(f"{error} (For development, set DEBUG=true, as the Makefile does.)")


if __name__ == "__main__":
    main()
