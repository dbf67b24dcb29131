"""A county's settings page (/settings/<county code>/): what the portal lets an administrator
configure, each app showing its own section without governance importing it (the apps
register their sections in AppConfig.ready()).

Some settings belong to a county (the patrol target); others hold for the whole city
(dispute deadlines, petition clocks: their tables have no county), so only an administrator
of the whole city may change those, and a county's administrator sees them read-only."""
