"""Live deadline alerts (seed 004): every deadline the product keeps warns the party who must
act before it passes (`*_AT_RISK`, `ORDER_EXPIRING`) and when it has passed (`*_OVERDUE`).

`tracking.touch` is all a life cycle calls (inside the transaction that may move a deadline);
`alerts` is the job that reads the sources and raises the alerts into the event log. The job
is imported from `resolvers.deadlines.alerts` by the runner: the life cycles it reads import
this package.
"""

from resolvers.deadlines.tracking import (
    StatusChange,
    thread_deadline_moved,
    touch,
    touch_on_status,
)

__all__ = ["StatusChange", "thread_deadline_moved", "touch", "touch_on_status"]
