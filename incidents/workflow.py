"""What the incident workflow is made of: its capabilities. The registry of actions is
`incidents.actions`; the machinery is `cases.workflow`.

Capabilities: `dispatcher` (staffs the dispatching level over the incident's village, or a
level above it: the township takes over, the county sees all), `unit` (acts for the handling
unit: a liaison of its department, the village's staff or grid chief, the township's staff),
`checker` (the grid worker who reported it; if they have left the grid, its current worker).
"""

DISPATCHER = "dispatcher"
UNIT = "unit"
CHECKER = "checker"
CAPABILITIES = (DISPATCHER, UNIT, CHECKER)
