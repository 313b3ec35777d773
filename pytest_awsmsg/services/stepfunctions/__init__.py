"""AWS Step Functions: real state machine definitions, run in virtual time.

Public helpers::

    from pytest_awsmsg.services.stepfunctions import load_definition, TaskFailure
"""

from __future__ import annotations

from .api import StepFunctionsService
from .definitions import load_definition
from .tasks import TaskFailure
from .view import ExecutionView, TaskView

__all__ = ["ExecutionView", "StepFunctionsService", "TaskFailure", "TaskView", "load_definition"]
