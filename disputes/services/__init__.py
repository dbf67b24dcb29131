"""The only writers of disputes, by subject: `intake`, `handling`, `summons`, `supervision`
and `settings`. Every name a caller uses is re-exported here
(`from disputes import services; services.dispute_register(...)`).

Each action is `dispute_<verb>(*, actor, dispute, version, ...)`: `actor` is the person acting
(None: the system), `version` the dispute's version the
person's form was drawn from. It checks its own arguments, then runs `common._act`, which
locks the row, refuses a stale version (`CaseChangedUnderYou`), checks the action's entry in
`disputes.actions`: status, who and guard (`TransitionNotAllowed`), applies the change, bumps
the version and writes one `DisputeEvent`; notifications are written when the transaction
commits.
"""

from disputes.services.common import staff_of_level
from disputes.services.handling import (
    dispute_accept,
    dispute_assign,
    dispute_attach,
    dispute_close,
    dispute_escalate,
    dispute_extend,
    dispute_hand_back,
    dispute_merge,
    dispute_record_session,
    dispute_reopen,
    dispute_resolve,
    dispute_return,
    dispute_revisit,
    dispute_send_down,
    dispute_start_mediation,
    dispute_terminate,
)
from disputes.services.intake import (
    RED_PEOPLE,
    SENSITIVE_KINDS,
    YELLOW_PEOPLE,
    clean_case_number,
    dispute_register,
    registration_levels,
    risk_colour,
)
from disputes.services.settings import (
    DEADLINE_BOUNDS,
    deadline_rules_set,
    revisit_setting_set,
)
from disputes.services.summons import dispute_summon, summons_acknowledge, summons_report
from disputes.services.supervision import (
    dispute_decide_extension,
    dispute_supervise,
    supervision_answer,
)

__all__ = [
    "DEADLINE_BOUNDS",
    "RED_PEOPLE",
    "SENSITIVE_KINDS",
    "YELLOW_PEOPLE",
    "clean_case_number",
    "deadline_rules_set",
    "dispute_accept",
    "dispute_assign",
    "dispute_attach",
    "dispute_close",
    "dispute_decide_extension",
    "dispute_escalate",
    "dispute_extend",
    "dispute_hand_back",
    "dispute_merge",
    "dispute_record_session",
    "dispute_register",
    "dispute_reopen",
    "dispute_resolve",
    "dispute_return",
    "dispute_revisit",
    "dispute_send_down",
    "dispute_start_mediation",
    "dispute_summon",
    "dispute_supervise",
    "dispute_terminate",
    "registration_levels",
    "revisit_setting_set",
    "risk_colour",
    "staff_of_level",
    "summons_acknowledge",
    "summons_report",
    "supervision_answer",
]
