"""Grids, teams, patrols and findings: built with the grid worker's journey."""
