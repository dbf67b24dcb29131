"""Disputes and their events: built with the township workbench."""
