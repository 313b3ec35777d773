"""The SWF fake: one method per operation of the botocore model.

Operations are grouped by topic in mixins: domains, types and tags
(:mod:`.control`), executions seen from outside (:mod:`.executions`),
decisions (:mod:`.decisions`), polls and responses (:mod:`.tasks`); how an
execution moves is :mod:`.engine`. This module adds what tests read
(``aws.swf.execution("order-1")``) and the failure report.
"""

from __future__ import annotations

from .tasks import TaskOps
from .view import SwfView, report_sections


class SwfService(TaskOps):
    """Amazon SWF, in memory and in virtual time."""

    view_class = SwfView

    def report_sections(self) -> list[tuple[str, str]]:
        return report_sections(self)
