"""Petitions (信访) and their statutory clocks: built after disputes."""
