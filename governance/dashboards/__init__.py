"""The officials' dashboards (日清周评月考核 as the county and city see it), read only from the
rollup tables. Mounted at /dashboard/ by config.urls."""
