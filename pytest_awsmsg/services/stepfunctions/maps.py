"""Map states: inline iterations, and distributed mode's map runs of child executions."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import errors
from .errors import StatesError
from .interpreter import Thread, Visit
from .models import Execution, dumps
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
    items = interp.select(path, data, v)
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
        _distributed(interp, v, items, inputs, processor)
        return
    thread = v.thread
    limit_value, _ = _number(interp, v, "MaxConcurrency", 0)
    total = len(inputs)
    interp.event(thread, "MapStateStarted", mapStateStartedEventDetails={"length": total})
    if total == 0:
        interp.event(thread, "MapStateSucceeded")
        interp.finish(v, [])
        return
    limit = int(limit_value) or total
    results: list[Any] = [None] * total
    progress = {"next": 0, "running": 0, "done": 0}
    last = {"succeeded": 0}  # the latest MapIterationSucceeded event
    children: list[Thread] = []
    key = thread.label + v.name
    kept = thread.execution.redrive_map_results.pop(key, {})
    done_before = thread.execution.map_results.setdefault(key, {})
    done_before.update(kept)

    def detail(index: int) -> dict[str, Any]:
        return {"name": v.name, "index": index}

    def on_success(index: int, ref: list[Thread]) -> Callable[[Any], None]:
        def done(output: Any) -> None:
            if not thread.alive():
                return
            results[index] = output
            done_before[index] = output
            last["succeeded"] = interp.event(
                thread, "MapIterationSucceeded", previous=ref[0].last, mapIterationSucceededEventDetails=detail(index)
            )
            # Recorded on AWS: the next MapIterationStarted links to the iteration's last
            # event, not to its MapIterationSucceeded.
            thread.last = ref[0].last
            progress["running"] -= 1
            progress["done"] += 1
            launch()

        return done

    def on_failure(index: int, ref: list[Thread]) -> Callable[[str, str], None]:
        def fail(error: str, cause: str) -> None:
            if not thread.alive():
                return
            for child in children:
                interp.abort(child)
            interp.event(
                thread, "MapIterationFailed", previous=ref[0].last, mapIterationFailedEventDetails=detail(index)
            )
            thread.last = ref[0].last
            interp.state_failed(v, "MapStateFailed", error, cause)

        return fail

    def launch() -> None:
        while progress["running"] < limit and progress["next"] < total and thread.alive():
            index = progress["next"]
            progress["next"] += 1
            if index in kept:  # succeeded before a redrive: not run again
                results[index] = kept[index]
                progress["done"] += 1
                continue
            progress["running"] += 1
            started = interp.event(thread, "MapIterationStarted", mapIterationStartedEventDetails=detail(index))
            ref: list[Thread] = []
            child = Thread(
                thread.execution,
                processor,
                started,
                on_success(index, ref),
                on_failure(index, ref),
                parent=thread,
                label=f"{thread.label}{v.name}[{index}]/",
            )
            child.iteration = (v.name, index)
            ref.append(child)
            children.append(child)
            interp.post(functools.partial(interp.enter, child, child.start_at, inputs[index]))
        if progress["done"] == total and thread.alive():
            thread.execution.map_results.pop(key, None)
            # Recorded on AWS: MapStateSucceeded and MapStateExited both link to the last
            # MapIterationSucceeded.
            previous = last["succeeded"] or thread.last
            interp.event(thread, "MapStateSucceeded", previous=previous)
            thread.last = previous
            interp.finish(v, results)

    launch()


def _batches(interp: Interpreter, v: Visit, inputs: list[Any]) -> list[Any]:
    batcher = v.state.get("ItemBatcher")
    if batcher is None:
        return inputs
    size = batcher.get("MaxItemsPerBatch")
    if size is None and "MaxItemsPerBatchPath" in batcher:
        size = interp.select(batcher["MaxItemsPerBatchPath"], v.effective, v)
    size = int(size or len(inputs) or 1)
    batch_input = batcher.get("BatchInput")
    if batch_input is not None:
        batch_input = interp.template(batch_input, v.effective, interp.context(v))
    out = []
    for start in range(0, len(inputs), size):
        batch: dict[str, Any] = {"Items": inputs[start : start + size]}
        if batch_input is not None:
            batch["BatchInput"] = batch_input
        out.append(batch)
    return out


def _distributed(interp: Interpreter, v: Visit, items: list[Any], inputs: list[Any], processor: dict[str, Any]) -> None:
    thread = v.thread
    execution = thread.execution
    service = interp.service
    work = _batches(interp, v, inputs)
    max_concurrency, _ = _number(interp, v, "MaxConcurrency", 0)
    count, count_set = _number(interp, v, "ToleratedFailureCount", 0)
    pct, pct_set = _number(interp, v, "ToleratedFailurePercentage", 0)
    # AWS: "If you don't specify a label, Step Functions automatically generates a unique label"
    # (a UUID), so the map run's ARN is .../mapRun:<machine>/<uuid>:<uuid>, never the state's name.
    label = v.state.get("Label") or interp.cloud.ids.uuid4()
    key = "distributed:" + thread.label + v.name
    kept = execution.redrive_map_results.pop(key, {})  # children that succeeded before a redrive
    done_before = execution.map_results.setdefault(key, {})
    done_before.update(kept)
    total = len(work) - len(kept)
    run = service.new_map_run(execution, label, int(max_concurrency), float(pct), int(count), total)
    run.tolerance_set = {name for name, is_set in (("count", count_set), ("pct", pct_set)) if is_set}
    run.item_total = sum(
        len(batch["Items"]) if "ItemBatcher" in v.state else 1 for i, batch in enumerate(work) if i not in kept
    )
    interp.event(thread, "MapStateStarted", mapStateStartedEventDetails={"length": len(items)})
    interp.event(thread, "MapRunStarted", mapRunStartedEventDetails={"mapRunArn": run.arn})
    results: list[Any] = [None] * len(work)
    progress = {"next": 0, "answered": len(kept)}  # answered: results in hand, kept ones included
    child_type = processor.get("ProcessorConfig", {}).get("ExecutionType", "STANDARD")

    def failures() -> int:
        return sum(1 for c in run.children if c.status in ("FAILED", "TIMED_OUT", "ABORTED"))

    def exceeded() -> bool:
        failed = failures()
        if not run.tolerance_set:
            return failed > 0
        by_count = "count" in run.tolerance_set and failed > run.tolerated_failure_count
        by_pct = "pct" in run.tolerance_set and failed * 100.0 / max(run.total, 1) > run.tolerated_failure_percentage
        return by_count or by_pct

    def closed(index: int) -> Callable[[Execution], None]:
        def done(child: Execution) -> None:
            if run.status != "RUNNING" or not thread.alive():
                return
            progress["answered"] += 1
            if child.status == "SUCCEEDED":
                results[index] = done_before[index] = interp_json(child.output)
            else:
                results[index] = {"Error": child.error or child.status, "Cause": child.cause or ""}
                if exceeded():
                    run.status = "FAILED"
                    run.stop_date = interp.now()
                    for other in run.children:
                        if not other.closed:
                            interp.close(other, "ABORTED")
                    cause = "The specified tolerance threshold was exceeded."
                    interp.event(
                        thread,
                        "MapRunFailed",
                        mapRunFailedEventDetails={"error": errors.EXCEED_TOLERATED_FAILURE_THRESHOLD, "cause": cause},
                    )
                    interp.state_failed(v, "MapStateFailed", errors.EXCEED_TOLERATED_FAILURE_THRESHOLD, cause)
                    return
            launch()

        return done

    def succeed_if_done() -> None:
        # Counted by results in hand, not by closed children: a child's close is
        # handled after it closes, so another may be closed but not yet counted.
        if run.status == "RUNNING" and progress["answered"] == len(work):
            run.status = "SUCCEEDED"
            run.stop_date = interp.now()
            execution.map_results.pop(key, None)
            interp.event(thread, "MapRunSucceeded")
            interp.event(thread, "MapStateSucceeded")
            interp.finish(v, results)

    def launch() -> None:
        limit = run.max_concurrency or len(work)
        while (
            run.status == "RUNNING"
            and progress["next"] < len(work)
            and sum(1 for c in run.children if not c.closed) < limit
        ):
            index = progress["next"]
            progress["next"] += 1
            if index in kept:
                results[index] = kept[index]
                continue
            child = service.new_child_execution(execution, run, processor, work[index], child_type)
            child.on_close.append(closed(index))
            interp.start(child)
        succeed_if_done()

    run.on_update = launch
    launch()


def interp_json(text: str | None) -> Any:
    import json

    return None if text is None else json.loads(text)
