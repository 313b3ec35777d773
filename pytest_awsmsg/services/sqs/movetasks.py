"""Message move tasks (DLQ redrive): StartMessageMoveTask, ListMessageMoveTasks,
CancelMessageMoveTask.

A task moves the messages that were visible in the source when it started, at
MaxNumberOfMessagesPerSecond (500 when not given: AWS "optimizes" the rate,
we pick its maximum). It runs on the cloud's scheduler: one batch at the end
of each virtual second, so ``aws.clock.advance(2)`` moves two seconds' worth
and a test can cancel a task midway. A cancelled task is CANCELLING until its
next tick, then CANCELLED.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from ...core.clock import Timer
from ...core.errors import InvalidParameterValue
from ...core.service import operation
from ..base import RequestContext
from .common import SqsBase
from .errors import ResourceNotFoundException, invalid_value
from .models import Queue

DEFAULT_RATE = 500
_MAX_TASKS_LISTED = 10


@dataclass(eq=False)
class MoveTask:
    task_id: str
    handle: str
    source_arn: str
    destination_arn: str | None
    rate: int | None
    to_move: int
    started_at: float
    moved: int = 0
    status: str = "RUNNING"
    failure_reason: str | None = None
    timer: Timer | None = None

    def describe(self) -> dict[str, Any]:
        """The task as ListMessageMoveTasks reports it; the handle only while it can still be cancelled."""
        return {
            "TaskHandle": self.handle if self.status == "RUNNING" else None,
            "Status": self.status,
            "SourceArn": self.source_arn,
            "DestinationArn": self.destination_arn,
            "MaxNumberOfMessagesPerSecond": self.rate,
            "ApproximateNumberOfMessagesMoved": self.moved,
            "ApproximateNumberOfMessagesToMove": self.to_move,
            "FailureReason": self.failure_reason,
            "StartedTimestamp": int(self.started_at * 1000),
        }


class MoveTaskMixin(SqsBase):
    @operation
    def start_message_move_task(
        self,
        ctx: RequestContext,
        *,
        source_arn: str,
        destination_arn: str | None = None,
        max_number_of_messages_per_second: int | None = None,
    ) -> dict[str, Any]:
        source = self.queue_by_arn(source_arn)
        if source is None:
            raise ResourceNotFoundException(
                "The resource that you specified for the SourceArn parameter doesn't exist."
            )
        rate = max_number_of_messages_per_second
        if rate is not None and not 1 <= rate <= DEFAULT_RATE:
            raise invalid_value(rate, "MaxNumberOfMessagesPerSecond", "must be between 1 and 500.")
        if not self._is_dead_letter_queue(source):
            # Assumed wording; AWS documents the rule, not the message.
            raise InvalidParameterValue("Source queue must be configured as a Dead Letter Queue.")
        if destination_arn is not None:
            destination = self.queue_by_arn(destination_arn)
            if destination is None:
                raise ResourceNotFoundException(
                    "The resource that you specified for the DestinationArn parameter doesn't exist."
                )
            if destination.fifo != source.fifo:
                raise InvalidParameterValue("The destination queue must be the same type of queue as the source.")
        tasks = self.store(source.account_id, source.region).move_tasks.setdefault(source.arn, [])
        if any(t.status in ("RUNNING", "CANCELLING") for t in tasks):
            raise InvalidParameterValue(
                "There is already a task running. "
                "Only one active task is allowed for a source queue arn at a given time."
            )
        now = ctx.now
        task_id = self.cloud.ids.uuid4()
        handle = base64.b64encode(json.dumps({"taskId": task_id, "sourceArn": source.arn}).encode()).decode()
        visible = source.counts(now)[0]
        task = MoveTask(task_id, handle, source.arn, destination_arn, rate, visible, now)
        tasks.append(task)
        if visible:
            self._schedule(task, now + 1)
        else:
            task.status = "COMPLETED"
        return {"TaskHandle": handle}

    @operation
    def list_message_move_tasks(
        self, ctx: RequestContext, *, source_arn: str, max_results: int | None = None
    ) -> dict[str, Any]:
        source = self.queue_by_arn(source_arn)
        if source is None:
            raise ResourceNotFoundException(
                "The resource that you specified for the SourceArn parameter doesn't exist."
            )
        if max_results is not None and not 1 <= max_results <= _MAX_TASKS_LISTED:
            raise invalid_value(max_results, "MaxResults", "You must enter a number that's between 1 and 10.")
        tasks = self.store(source.account_id, source.region).move_tasks.get(source.arn, [])
        newest = list(reversed(tasks))[: max_results or 1]
        return {"Results": [t.describe() for t in newest]}

    @operation
    def cancel_message_move_task(self, ctx: RequestContext, *, task_handle: str) -> dict[str, Any]:
        task = self._task_for(task_handle)
        if task.status != "RUNNING":
            # Assumed wording; AWS documents that only RUNNING tasks can be cancelled.
            raise InvalidParameterValue("Only a task in the RUNNING status can be cancelled.")
        task.status = "CANCELLING"
        return {"ApproximateNumberOfMessagesMoved": task.moved}

    # -- internals ------------------------------------------------------------------

    def _task_for(self, handle: str) -> MoveTask:
        try:
            decoded = json.loads(base64.b64decode(handle, validate=True))
            source_arn, task_id = decoded["sourceArn"], decoded["taskId"]
        except (ValueError, KeyError, TypeError):
            raise ResourceNotFoundException("Task does not exist.") from None
        for store in self.stores().values():
            for task in store.move_tasks.get(source_arn, []):
                if task.task_id == task_id:
                    return task
        raise ResourceNotFoundException("Task does not exist.")

    def _is_dead_letter_queue(self, queue: Queue) -> bool:
        if self.dead_letter_sources(queue):
            return True
        # Messages that arrived through a redrive policy since removed still make it a DLQ.
        return any(m.dead_letter_source_arn for m in queue.messages.values())

    def _schedule(self, task: MoveTask, due: float) -> None:
        task.timer = self.cloud.clock.call_at(due, lambda: self._tick(task), f"sqs move task {task.task_id}")

    def _tick(self, task: MoveTask) -> None:
        if task.status == "CANCELLING":
            task.status = "CANCELLED"
            return
        if task.status != "RUNNING":
            return
        source = self.queue_by_arn(task.source_arn)
        if source is None:
            self._fail(task, "AWS.SimpleQueueService.NonExistentQueue")
            return
        now = self.cloud.clock.now()
        batch = min(task.rate or DEFAULT_RATE, task.to_move - task.moved)
        source.settle(now)
        ready = source.index.visible(batch)
        for message in ready:
            target_arn = task.destination_arn or message.dead_letter_source_arn
            target = self.queue_by_arn(target_arn) if target_arn else None
            if target is None:
                self._fail(task, "AWS.SimpleQueueService.NonExistentQueue")
                return
            # A fresh life in the target: retention counts from the move (assumed; AWS documents
            # the retention rule only for moves into a dead-letter queue).
            self.transfer(source, message, target, now, dead_letter_source_arn=None, sent_at=now)
            task.moved += 1
        if task.moved >= task.to_move or not ready:
            task.status = "COMPLETED"
        else:
            self._schedule(task, now + 1)

    def _fail(self, task: MoveTask, reason: str) -> None:
        task.status = "FAILED"
        task.failure_reason = reason

    def cancel_tasks_of(self, queue: Queue) -> None:
        """A deleted queue's running tasks fail (assumed: AWS cannot move from a queue that is gone)."""
        for task in self.store(queue.account_id, queue.region).move_tasks.get(queue.arn, []):
            if task.status in ("RUNNING", "CANCELLING"):
                if task.timer is not None:
                    task.timer.cancel()
                self._fail(task, "AWS.SimpleQueueService.NonExistentQueue")
