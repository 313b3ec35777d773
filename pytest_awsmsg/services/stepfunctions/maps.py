"""Map states: inline iterations, and distributed mode's map runs of child executions."""

from __future__ import annotations

import contextlib
import copy
import functools
from typing import TYPE_CHECKING, Any

from . import errors, query, s3items
from .errors import StatesError
from .interpreter import Thread, Visit
from .models import Execution, MapRun, dumps
from .query import QUERY_EVALUATION_ERROR

if TYPE_CHECKING:
    from .interpreter import Interpreter


def start_map(interp: Interpreter, v: Visit) -> None:
    v.effective = interp.input_path(v, v.input)
    run_map(interp, v)


def processor_of(state: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = state.get("ItemProcessor") or state["Iterator"]
    return found


def _number(interp: Interpreter, v: Visit, field: str, default: float) -> tuple[float, bool]:
    if field in v.state:
        value = interp.number(v, field)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise StatesError(QUERY_EVALUATION_ERROR, f"The field '{field}' must evaluate to a non-negative number")
        return value, True
    path = v.state.get(field + "Path")
    if path is None:
        return default, False
    value = interp.select(path, v.effective, v)
    if field == "MaxConcurrency":
        return _max_concurrency(value, path), True
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise StatesError(errors.RUNTIME, f"The value at {field}Path '{path}' must be a non-negative number")
    return value, True


def _max_concurrency(value: Any, path: str) -> int:
    """MaxConcurrencyPath's value: an integer (a string of digits will do), checked with AWS's messages."""
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        shown = value if isinstance(value, str) else dumps(value)
        raise StatesError(
            errors.RUNTIME,
            f'The MaxConcurrencyPath field refers to value "{shown}" which is not a valid integer: {path}',
        )
    if value < 0:
        raise StatesError(errors.RUNTIME, f"Expected non-negative integer for MaxConcurrency, got '{value}' instead.")
    return value


def _inputs(interp: Interpreter, v: Visit) -> tuple[list[Any], list[Any]]:
    if v.jsonata:
        return _inputs_jsonata(interp, v)
    data = v.effective
    path = v.state.get("ItemsPath", "$")
    items = s3items.read_items(interp, v) if "ItemReader" in v.state else interp.select(path, data, v)
    if not isinstance(items, list):
        raise StatesError(
            errors.RUNTIME,
            f"Invalid path '{path}': The Map state's ItemsPath must reference a JSON array, got {type(items).__name__}",
        )
    selector = v.state.get("ItemSelector", v.state.get("Parameters"))
    if selector is None:
        return items, [copy.deepcopy(item) for item in items]
    return items, [interp.template(selector, data, interp.context(v, item=(i, item))) for i, item in enumerate(items)]


def _inputs_jsonata(interp: Interpreter, v: Visit) -> tuple[list[Any], list[Any]]:
    """Items (a JSON array or an expression; the state input without it), then ItemSelector per item."""
    if "ItemReader" in v.state:
        items = s3items.read_items(interp, v)
    else:
        items = interp.env(v).render(v.state["Items"], "Items") if "Items" in v.state else v.input
    if not isinstance(items, list):
        raise StatesError(
            QUERY_EVALUATION_ERROR,
            f"The Items field must evaluate to a JSON array, got {dumps(items)}"
            if "Items" in v.state
            else "The Map state's input must be a JSON array when it has no Items field",
        )
    selector = v.state.get("ItemSelector")
    if selector is None:
        return items, [copy.deepcopy(item) for item in items]
    return items, [interp.env(v, item=(i, item)).render(selector, "ItemSelector") for i, item in enumerate(items)]


def run_map(interp: Interpreter, v: Visit) -> None:
    items, inputs = _inputs(interp, v)
    processor = processor_of(v.state)
    if processor.get("ProcessorConfig", {}).get("Mode") == "DISTRIBUTED":
        _DistributedMap(interp, v, processor).start(items, inputs)
        return
    limit, _ = _number(interp, v, "MaxConcurrency", 0)
    _InlineMap(interp, v, processor, inputs).start(int(limit))


class _InlineMap:
    """An inline Map: each item runs as a thread of this execution, at most ``limit`` at a time."""

    def __init__(self, interp: Interpreter, v: Visit, processor: dict[str, Any], inputs: list[Any]) -> None:
        self.interp = interp
        self.v = v
        self.thread = v.thread
        self.processor = processor
        self.inputs = inputs
        self.total = len(inputs)
        self.results: list[Any] = [None] * self.total
        self.limit = self.total
        self.next = self.running = self.done = 0
        self.last_succeeded = 0  # the latest MapIterationSucceeded event
        self.children: list[Thread] = []
        self.key = self.thread.label + v.name
        self.kept: dict[int, Any] = {}  # iterations that succeeded before a redrive
        self.done_before: dict[int, Any] = {}

    def start(self, limit: int) -> None:
        self.interp.event(self.thread, "MapStateStarted", mapStateStartedEventDetails={"length": self.total})
        if self.total == 0:
            self.interp.event(self.thread, "MapStateSucceeded")
            self.interp.finish(self.v, [])
            return
        self.limit = limit or self.total
        execution = self.thread.execution
        self.kept = execution.redrive_map_results.pop(self.key, {})
        self.done_before = execution.map_results.setdefault(self.key, {})
        self.done_before.update(self.kept)
        self.launch()

    def _detail(self, index: int) -> dict[str, Any]:
        return {"name": self.v.name, "index": index}

    def launch(self) -> None:
        """Start iterations up to the limit; succeed once every one has."""
        while self.running < self.limit and self.next < self.total and self.thread.alive():
            index = self.next
            self.next += 1
            if index in self.kept:  # succeeded before a redrive: not run again
                self.results[index] = self.kept[index]
                self.done += 1
                continue
            self._start_iteration(index)
        if self.done == self.total and self.thread.alive():
            self._succeed()

    def _start_iteration(self, index: int) -> None:
        self.running += 1
        thread, interp = self.thread, self.interp
        started = interp.event(thread, "MapIterationStarted", mapIterationStartedEventDetails=self._detail(index))
        ref: list[Thread] = []
        child = Thread(
            thread.execution,
            self.processor,
            started,
            lambda output: self._iteration_succeeded(index, ref[0], output),
            lambda error, cause: self._iteration_failed(index, ref[0], error, cause),
            parent=thread,
            label=f"{thread.label}{self.v.name}[{index}]/",
        )
        child.iteration = (self.v.name, index)
        ref.append(child)
        self.children.append(child)
        interp.post(functools.partial(interp.enter, child, child.start_at, self.inputs[index]))

    def _iteration_succeeded(self, index: int, child: Thread, output: Any) -> None:
        if not self.thread.alive():
            return
        self.results[index] = self.done_before[index] = output
        self.last_succeeded = self.interp.event(
            self.thread,
            "MapIterationSucceeded",
            previous=child.last,
            mapIterationSucceededEventDetails=self._detail(index),
        )
        # Recorded on AWS: the next MapIterationStarted links to the iteration's last
        # event, not to its MapIterationSucceeded.
        self.thread.last = child.last
        self.running -= 1
        self.done += 1
        self.launch()

    def _iteration_failed(self, index: int, child: Thread, error: str, cause: str) -> None:
        if not self.thread.alive():
            return
        for other in self.children:
            self.interp.abort(other)
        self.interp.event(
            self.thread, "MapIterationFailed", previous=child.last, mapIterationFailedEventDetails=self._detail(index)
        )
        self.thread.last = child.last
        self.interp.state_failed(self.v, "MapStateFailed", error, cause)

    def _succeed(self) -> None:
        self.thread.execution.map_results.pop(self.key, None)
        # Recorded on AWS: MapStateSucceeded and MapStateExited both link to the last
        # MapIterationSucceeded.
        previous = self.last_succeeded or self.thread.last
        self.interp.event(self.thread, "MapStateSucceeded", previous=previous)
        self.thread.last = previous
        self.interp.finish(self.v, self.results)


def _batches(interp: Interpreter, v: Visit, inputs: list[Any]) -> list[Any]:
    """The ItemBatcher's batches: ``{"Items": [...], "BatchInput": ...}`` of at most MaxItemsPerBatch items.

    In JSONata, MaxItemsPerBatch and BatchInput may be (or hold) expressions,
    evaluated once with the Map's ``$states.input``.
    """
    batcher = v.state.get("ItemBatcher")
    if batcher is None:
        return inputs
    batch_input = batcher.get("BatchInput")
    if v.jsonata:
        env = interp.env(v)
        size = batcher.get("MaxItemsPerBatch")
        if query.is_expression(size):
            size = env.evaluate(size, "MaxItemsPerBatch")
            if not isinstance(size, int) or isinstance(size, bool) or size < 1:
                raise StatesError(
                    QUERY_EVALUATION_ERROR,
                    f"The field 'MaxItemsPerBatch' must evaluate to a positive integer, got {dumps(size)}",
                    location="MaxItemsPerBatch",
                )
        if batch_input is not None:
            batch_input = env.render(batch_input, "BatchInput")
    else:
        size = batcher.get("MaxItemsPerBatch")
        if size is None and "MaxItemsPerBatchPath" in batcher:
            size = interp.select(batcher["MaxItemsPerBatchPath"], v.effective, v)
        if batch_input is not None:
            batch_input = interp.template(batch_input, v.effective, interp.context(v))
    size = int(size or len(inputs) or 1)
    out = []
    for start in range(0, len(inputs), size):
        batch: dict[str, Any] = {"Items": inputs[start : start + size]}
        if batch_input is not None:
            batch["BatchInput"] = batch_input
        out.append(batch)
    return out


class _DistributedMap:
    """A distributed Map: a map run whose items (or batches) run as child executions."""

    def __init__(self, interp: Interpreter, v: Visit, processor: dict[str, Any]) -> None:
        self.interp = interp
        self.v = v
        self.thread = v.thread
        self.execution = v.thread.execution
        self.processor = processor
        self.key = "distributed:" + self.thread.label + v.name
        self.work: list[Any] = []
        self.results: list[Any] = []
        self.kept: dict[int, Any] = {}  # children that succeeded before a redrive
        self.done_before: dict[int, Any] = {}
        self.next = 0
        self.answered = 0  # results in hand, kept ones included

    def start(self, items: list[Any], inputs: list[Any]) -> None:
        interp, v = self.interp, self.v
        self.work = _batches(interp, v, inputs)
        self.run = self._new_run()
        self.results = [None] * len(self.work)
        interp.event(self.thread, "MapStateStarted", mapStateStartedEventDetails={"length": len(items)})
        interp.event(self.thread, "MapRunStarted", mapRunStartedEventDetails={"mapRunArn": self.run.arn})
        self.run.on_update = self.launch
        self.launch()

    def _new_run(self) -> MapRun:
        interp, v = self.interp, self.v
        max_concurrency, _ = _number(interp, v, "MaxConcurrency", 0)
        count, count_set = _number(interp, v, "ToleratedFailureCount", 0)
        pct, pct_set = _number(interp, v, "ToleratedFailurePercentage", 0)
        # AWS: "If you don't specify a label, Step Functions automatically generates a unique label"
        # (a UUID), so the map run's ARN is .../mapRun:<machine>/<uuid>:<uuid>, never the state's name.
        label = v.state.get("Label") or interp.cloud.ids.uuid4()
        self.kept = self.execution.redrive_map_results.pop(self.key, {})
        self.done_before = self.execution.map_results.setdefault(self.key, {})
        self.done_before.update(self.kept)
        self.answered = len(self.kept)
        total = len(self.work) - len(self.kept)
        run = interp.service.new_map_run(self.execution, label, int(max_concurrency), float(pct), int(count), total)
        run.tolerance_set = {name for name, is_set in (("count", count_set), ("pct", pct_set)) if is_set}
        batched = "ItemBatcher" in v.state
        run.item_total = sum(
            len(batch["Items"]) if batched else 1 for i, batch in enumerate(self.work) if i not in self.kept
        )
        return run

    def _exceeded(self) -> bool:
        """Whether the failed children are more than the map run tolerates."""
        run = self.run
        failed = sum(1 for c in run.children if c.status in ("FAILED", "TIMED_OUT", "ABORTED"))
        if not run.tolerance_set:
            return failed > 0
        by_count = "count" in run.tolerance_set and failed > run.tolerated_failure_count
        by_pct = "pct" in run.tolerance_set and failed * 100.0 / max(run.total, 1) > run.tolerated_failure_percentage
        return by_count or by_pct

    def launch(self) -> None:
        """Start children up to MaxConcurrency; succeed once every result is in."""
        run = self.run
        limit = run.max_concurrency or len(self.work)
        while (
            run.status == "RUNNING"
            and self.next < len(self.work)
            and sum(1 for c in run.children if not c.closed) < limit
        ):
            index = self.next
            self.next += 1
            if index in self.kept:
                self.results[index] = self.kept[index]
                continue
            child_type = self.processor.get("ProcessorConfig", {}).get("ExecutionType", "STANDARD")
            child = self.interp.service.new_child_execution(
                self.execution, run, self.processor, self.work[index], child_type
            )
            child.on_close.append(functools.partial(self._child_closed, index))
            self.v.step.children.append(child)
            self.interp.start(child)
        self._succeed_if_done()

    def _child_closed(self, index: int, child: Execution) -> None:
        if self.run.status != "RUNNING" or not self.thread.alive():
            return
        self.answered += 1
        if child.status == "SUCCEEDED":
            self.results[index] = self.done_before[index] = interp_json(child.output)
        else:
            self.results[index] = {"Error": child.error or child.status, "Cause": child.cause or ""}
            if self._exceeded():
                self._fail_run()
                return
        self.launch()

    def _fail_run(self) -> None:
        """Over the tolerance: the run fails, its other children are aborted, and so does the state."""
        run, interp = self.run, self.interp
        run.status = "FAILED"
        run.stop_date = interp.now()
        for other in run.children:
            if not other.closed:
                interp.close(other, "ABORTED")
        if "ResultWriter" in self.v.state:
            with contextlib.suppress(StatesError):  # AWS writes a failed run's results too; the state fails anyway
                s3items.write_results(interp, self.v, run)
        cause = "The specified tolerance threshold was exceeded."
        interp.event(
            self.thread,
            "MapRunFailed",
            mapRunFailedEventDetails={"error": errors.EXCEED_TOLERATED_FAILURE_THRESHOLD, "cause": cause},
        )
        interp.state_failed(self.v, "MapStateFailed", errors.EXCEED_TOLERATED_FAILURE_THRESHOLD, cause)

    def _succeed_if_done(self) -> None:
        # Counted by results in hand, not by closed children: a child's close is
        # handled after it closes, so another may be closed but not yet counted.
        run = self.run
        if run.status == "RUNNING" and self.answered == len(self.work):
            run.status = "SUCCEEDED"
            run.stop_date = self.interp.now()
            self.execution.map_results.pop(self.key, None)
            output: Any = self.results
            if "ResultWriter" in self.v.state:
                try:
                    output = s3items.write_results(self.interp, self.v, run)
                except StatesError as error:
                    self.interp.state_failed(self.v, "MapStateFailed", error.error, error.cause)
                    return
            self.interp.event(self.thread, "MapRunSucceeded")
            self.interp.event(self.thread, "MapStateSucceeded")
            self.interp.finish(self.v, output)


def interp_json(text: str | None) -> Any:
    import json

    return None if text is None else json.loads(text)
