"""AWS Step Functions: real state machine definitions, run in virtual time.

Public helpers::

    from pytest_awsmsg.services.stepfunctions import load_definition, TaskFailure
"""

from __future__ import annotations

from .api import StepFunctionsService
from .helpers import ExecutionView, TaskView, load_definition
from .tasks import TaskFailure

__all__ = ["ExecutionView", "StepFunctionsService", "TaskFailure", "TaskView", "load_definition"]
