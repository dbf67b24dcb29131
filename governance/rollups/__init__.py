"""日清周评月考核: the period tables, the jobs that fill them, and the scoring.

Each case app owns a `metrics.py` whose `daily_counts(day)` counts its own facts for one day;
the engine here adds them up the area tree and writes the rows. Dashboards read only these
tables, never the raw case rows.
"""
