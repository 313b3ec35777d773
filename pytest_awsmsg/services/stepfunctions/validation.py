"""Definition validation: AWS's diagnostics for common mistakes, and loud refusals.

:func:`diagnose` returns ``(code, message, location)`` triples in the form
ValidateStateMachineDefinition reports them, each with the severity its code
has (:func:`severity`: AWS's warning codes, NO_DOLLAR, NO_PATH and
PASS_RESULT_IS_STATIC, are warnings; everything else is an error).
CreateStateMachine and UpdateStateMachine join the errors into AWS's
InvalidDefinition message (``Invalid State Machine Definition: 'CODE: message
at /States/X, ...'``); warnings never stop them.
Whatever the interpreter cannot run is refused here, with a message naming
it, rather than discovered halfway through an execution.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from . import choice, intrinsics, paths, query, s3items
from .resources import classify

Diagnostic = tuple[str, str, "str | None"]
SCHEMA = "SCHEMA_VALIDATION_FAILED"
MISSING_TARGET = "MISSING_TRANSITION_TARGET"
UNSUPPORTED = "UNSUPPORTED_BY_PYTEST_AWSMSG"
# AWS's warning codes (the ValidateStateMachineDefinitionDiagnostic reference): a definition with
# only these is valid. The messages are the kit's own; AWS says not to rely on its wording.
NO_DOLLAR = "NO_DOLLAR"
NO_PATH = "NO_PATH"
PASS_RESULT_IS_STATIC = "PASS_RESULT_IS_STATIC"
WARNINGS = frozenset({NO_DOLLAR, NO_PATH, PASS_RESULT_IS_STATIC})

_COMMON = {"Type", "Comment", "QueryLanguage", "Output"}
_FLOW = {"Next", "End"}
_IO = {"InputPath", "OutputPath"}
_RESULT = {"ResultPath", "Parameters"}
_ERRORS = {"Retry", "Catch"}
_ASSIGN = {"Assign"}
FIELDS: dict[str, set[str]] = {
    "Pass": _COMMON | _FLOW | _IO | _RESULT | _ASSIGN | {"Result"},
    "Task": _COMMON
    | _ASSIGN
    | {"Arguments"}
    | _FLOW
    | _IO
    | _RESULT
    | _ERRORS
    | {
        "Resource",
        "ResultSelector",
        "TimeoutSeconds",
        "TimeoutSecondsPath",
        "HeartbeatSeconds",
        "HeartbeatSecondsPath",
        "Credentials",
    },
    "Choice": _COMMON | _IO | _ASSIGN | {"Choices", "Default"},
    "Wait": _COMMON | _FLOW | _IO | _ASSIGN | {"Seconds", "Timestamp", "SecondsPath", "TimestampPath"},
    "Succeed": _COMMON | _IO,
    "Fail": _COMMON - {"Output"} | {"Error", "Cause", "ErrorPath", "CausePath"},
    "Parallel": _COMMON | _FLOW | _IO | _RESULT | _ERRORS | _ASSIGN | {"Branches", "ResultSelector", "Arguments"},
    "Map": _COMMON
    | _ASSIGN
    | {"Items"}
    | _FLOW
    | _IO
    | _RESULT
    | _ERRORS
    | {
        "Iterator",
        "ItemProcessor",
        "ItemsPath",
        "ItemSelector",
        "MaxConcurrency",
        "MaxConcurrencyPath",
        "ResultSelector",
        "ItemReader",
        "ItemBatcher",
        "ResultWriter",
        "ToleratedFailureCount",
        "ToleratedFailurePercentage",
        "ToleratedFailureCountPath",
        "ToleratedFailurePercentagePath",
        "Label",
    },
}
_NOT_YET = {
    "Credentials": "cross-account Task Credentials",
}
# A Fail state's ErrorPath/CausePath may use only these (they return strings).
_FAIL_INTRINSICS = frozenset(
    {
        "States.Format",
        "States.JsonToString",
        "States.ArrayGetItem",
        "States.Base64Encode",
        "States.Base64Decode",
        "States.Hash",
        "States.UUID",
    }
)
_PATH_FIELDS = ("InputPath", "OutputPath", "ItemsPath")
_REFERENCE_FIELDS = ("ResultPath", "SecondsPath", "TimestampPath", "TimeoutSecondsPath", "HeartbeatSecondsPath")
# The fields only one query language has (AWS refuses the others at creation).
JSONPATH_ONLY = frozenset(
    {
        "InputPath",
        "OutputPath",
        "Parameters",
        "ResultSelector",
        "ResultPath",
        "ItemsPath",
        "SecondsPath",
        "TimestampPath",
        "TimeoutSecondsPath",
        "HeartbeatSecondsPath",
        "ErrorPath",
        "CausePath",
        "MaxConcurrencyPath",
        "ToleratedFailureCountPath",
        "ToleratedFailurePercentagePath",
        "Iterator",
    }
)
JSONATA_ONLY = frozenset({"Arguments", "Output", "Items"})
# The fields of a JSONata state whose value may be (or contain) a {% %} expression.
_EXPRESSION_FIELDS = (
    "Arguments",
    "Output",
    "Assign",
    "Items",
    "ItemSelector",
    "Seconds",
    "Timestamp",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "MaxConcurrency",
    "ToleratedFailureCount",
    "ToleratedFailurePercentage",
    "ItemBatcher",
    "Error",
    "Cause",
)
_LANGUAGES = ("JSONPath", "JSONata")
_BAD_LANGUAGE = 'The value for the field "QueryLanguage" must be JSONPath or JSONata'
# A variable name is a Unicode identifier; ``states`` is reserved ($states is JSONata's).
# Assumption: AWS's limit on a name's length is the one on state names, 80 characters.
_VARIABLE_NAME = re.compile(r"[^\W\d]\w*")
_MAX_VARIABLE_NAME = 80


# The characters a Map Label may not contain (AWS's Map state reference): whitespace,
# wildcards, brackets, special characters and control characters.
_LABEL_FORBIDDEN = frozenset(' ?*<>{}[]:;,\\|^~$#%&`"') | frozenset(chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)))


def _label_problem(label: Any) -> str | None:
    """What is wrong with a Map state's Label, worded as AWS words it (None: nothing).

    Assumption: the wording follows what AWS reports for these three cases
    ("Label cannot be empty", "... exceed 40 characters", "... invalid character").
    """
    if not isinstance(label, str):
        return 'The value for the field "Label" must be a STRING'
    if not label:
        return "Label cannot be empty"
    if len(label) > 40:
        return "Label cannot exceed 40 characters"
    for ch in label:
        if ch in _LABEL_FORBIDDEN or ch.isspace():
            shown = ch.encode("unicode-escape").decode()
            return f"Label contains invalid character: '{shown}'"
    return None


def severity(diagnostic: Diagnostic) -> str:
    """ERROR (the definition cannot be created) or WARNING (a likely mistake AWS lets through)."""
    return "WARNING" if diagnostic[0] in WARNINGS else "ERROR"


def errors_only(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if severity(d) == "ERROR"]


def _looks_like_path(value: Any) -> bool:
    """A string a JSONPath field would read as a path (or an intrinsic function call)."""
    if not isinstance(value, str):
        return False
    return value in ("$", "$$") or value.startswith(("$.", "$[", "$$.")) or intrinsics.looks_intrinsic(value)


def format_invalid(diagnostics: list[Diagnostic]) -> str:
    """AWS's InvalidDefinition message for a list of diagnostics."""
    parts = [f"{code}: {message}" + (f" at {location}" if location else "") for code, message, location in diagnostics]
    return "Invalid State Machine Definition: '" + ", ".join(parts) + "'"


class _Checker:
    def __init__(self, machine_type: str, mocked: Callable[[str], bool]) -> None:
        self.out: list[Diagnostic] = []
        self.labels: set[str] = set()  # Map Labels seen: AWS requires each to be unique
        self.machine_type = machine_type
        self.mocked = mocked
        self.outer: set[str] = set()  # variables the enclosing scopes assign (an inner scope may only read them)
        self.language = "JSONPath"  # the machine's QueryLanguage

    def add(self, code: str, message: str, location: str | None) -> None:
        self.out.append((code, message, location))

    def require(self, node: dict[str, Any], field: str, where: str) -> bool:
        if field not in node:
            self.add(SCHEMA, f'The field "{field}" is required but was missing', where)
            return False
        return True

    def scope(self, node: Any, where: str, *, top: bool = False) -> None:
        """One StartAt/States scope: the machine, a branch or an item processor."""
        if not isinstance(node, dict):
            self.add(SCHEMA, "Expected an object", where or "/")
            return
        allowed = {"StartAt", "States", "Comment"} | (
            {"Version", "TimeoutSeconds", "QueryLanguage"} if top else {"ProcessorConfig"}
        )
        if top and "QueryLanguage" in node:
            if node["QueryLanguage"] in _LANGUAGES:
                self.language = node["QueryLanguage"]
            else:
                self.add(SCHEMA, _BAD_LANGUAGE, "/QueryLanguage")
        for key in node:
            if key in _NOT_YET:
                self.add(
                    UNSUPPORTED, f"pytest-awsmsg does not support {_NOT_YET[key]}", f"{where}/{key}" if where else "/"
                )
            elif key not in allowed:
                self.add(SCHEMA, f'The field "{key}" is not supported by Step Functions', where or "/")
        ok_start = self.require(node, "StartAt", where or "/")
        if not self.require(node, "States", where or "/"):
            return
        states = node["States"]
        if not isinstance(states, dict) or not states:
            self.add(SCHEMA, 'The field "States" must be a non-empty object', f"{where}/States")
            return
        if top and "TimeoutSeconds" in node and not _positive_int(node["TimeoutSeconds"]):
            self.add(SCHEMA, 'The value for the field "TimeoutSeconds" must be a positive integer', "/TimeoutSeconds")
        mine: set[str] = set()
        for name, state in states.items():
            for variable, at in _assignments(state, f"{where}/States/{name}"):
                mine.add(variable)
                if variable in self.outer:
                    # Assumption: AWS's wording; the rule is its scoping (inner scopes read outer variables).
                    self.add(
                        SCHEMA,
                        f'The variable "{variable}" is assigned in an outer scope: a Parallel branch or Map '
                        "iteration may read it but not assign it",
                        at,
                    )
        outer, self.outer = self.outer, self.outer | mine
        for name in getattr(states, "repeated", ()):
            # AWS's code; json keeps the last state of a name, AWS refuses them all.
            self.add("DUPLICATE_STATE_NAME", f'Duplicate State name: "{name}"', f"{where}/States/{name}")
        for name, state in states.items():
            if len(name) > 80 or not name.strip() or any(ord(ch) < 0x20 for ch in name):
                # Assumption: AWS's naming convention for states is 1 to 80 characters, no control characters.
                self.add(
                    "INVALID_STATE_NAME",
                    "State names must be 1 to 80 characters with no control characters",
                    f"{where}/States/{name}",
                )
            self.state(name, state, f"{where}/States/{name}", states)
        self.outer = outer
        if ok_start and node["StartAt"] not in states:
            self.add(MISSING_TARGET, f"Missing 'Next' target: {node['StartAt']}", f"{where}/StartAt")
            return
        if ok_start:
            self.reachability(node["StartAt"], states, where)

    def reachability(self, start: str, states: dict[str, Any], where: str) -> None:
        seen: set[str] = set()
        todo = [start]
        while todo:
            name = todo.pop()
            if name in seen or name not in states:
                continue
            seen.add(name)
            state = states[name]
            if not isinstance(state, dict):
                continue
            todo.extend(t for t in _targets(state) if isinstance(t, str))
        # AWS looks for a terminal state anywhere in the scope; without one it
        # reports MISSING_END_STATE alone and skips the reachability walk.
        terminal = any(
            isinstance(s, dict) and (s.get("End") is True or s.get("Type") in ("Succeed", "Fail"))
            for s in states.values()
        )
        if not terminal:
            self.add("MISSING_END_STATE", "Workflow has no terminal state", None)
            return
        for name in states:
            if name not in seen:
                self.add(MISSING_TARGET, f'State "{name}" is not reachable.', f"{where}/States/{name}")

    def state(self, name: str, state: Any, where: str, scope: dict[str, Any]) -> None:
        if not isinstance(state, dict):
            self.add(SCHEMA, "A state must be an object", where)
            return
        if not self.require(state, "Type", where):
            return
        kind = state["Type"]
        if kind not in FIELDS:
            self.add(SCHEMA, f'"{kind}" is not a valid state type', f"{where}/Type")
            return
        language = state.get("QueryLanguage", self.language)
        if language not in _LANGUAGES:
            self.add(SCHEMA, _BAD_LANGUAGE, f"{where}/QueryLanguage")
            language = self.language
        elif language == "JSONPath" and self.language == "JSONata":
            self.add(
                SCHEMA,
                "A state cannot use the JSONPath query language when the state machine's QueryLanguage is JSONata",
                f"{where}/QueryLanguage",
            )
        jsonata = language == "JSONata"
        forbidden = JSONPATH_ONLY if jsonata else JSONATA_ONLY
        for key in state:
            if key in _NOT_YET:
                self.add(UNSUPPORTED, f"pytest-awsmsg does not support {_NOT_YET[key]}", f"{where}/{key}")
            elif key not in FIELDS[kind]:
                self.add(SCHEMA, f'The field "{key}" is not supported by Step Functions', where)
            elif key in forbidden:
                # Assumption: AWS's wording for a field of the other query language.
                self.add(SCHEMA, f'The field "{key}" is not supported for the {language} query language', where)
        if jsonata:
            self.jsonata_state(kind, state, where)
            return
        if kind not in ("Choice", "Succeed", "Fail"):
            has_next, has_end = "Next" in state, state.get("End") is True
            if has_next == has_end:
                self.add(SCHEMA, 'Exactly one of the fields "Next" or "End" must be set', where)
        for target, at in _targets_with_location(state, where):
            if target not in scope:
                self.add(MISSING_TARGET, f"Missing 'Next' target: {target}", at)
        for field in _PATH_FIELDS:
            if field in state and state[field] is not None:
                self.path(state[field], field, f"{where}/{field}")
        for field in _REFERENCE_FIELDS:
            if field in state and state[field] is not None:
                self.path(state[field], field, f"{where}/{field}", reference=True)
        for field in ("Parameters", "ResultSelector", "ItemSelector"):
            if field in state:
                self.template(state[field], f"{where}/{field}")
        if "Assign" in state:
            self.assign(state["Assign"], f"{where}/Assign")
        self.static_warnings(kind, state, where)
        getattr(self, "state_" + kind.lower(), lambda *a: None)(name, state, where)
        for at, catcher in self.retriers_and_catchers(state, where):
            if catcher.get("ResultPath") is not None:
                self.path(catcher["ResultPath"], "ResultPath", f"{at}/ResultPath", reference=True)
            if "Assign" in catcher:
                self.assign(catcher["Assign"], f"{at}/Assign")

    def static_warnings(self, kind: str, state: dict[str, Any], where: str) -> None:
        """AWS's warnings for paths written where a JSONPath state takes them literally."""
        if kind == "Pass" and "Result" in state and _has_path(state["Result"]):
            self.add(
                PASS_RESULT_IS_STATIC,
                "The Result of a Pass state is static: paths and '.$' fields in it are not evaluated "
                "(use Parameters to read the input)",
                f"{where}/Result",
            )
        if kind == "Fail":
            for field in ("Error", "Cause"):
                if _looks_like_path(state.get(field)):
                    self.add(
                        NO_PATH,
                        f"The value of the field '{field}' looks like a path, but the field name does not end "
                        f"with 'Path': use {field}Path to read it from the input",
                        f"{where}/{field}",
                    )

    def jsonata_state(self, kind: str, state: dict[str, Any], where: str) -> None:
        """A JSONata state: flow, Assign names, expressions that parse, Choice Conditions, handlers."""
        if kind not in ("Choice", "Succeed", "Fail") and ("Next" in state) == (state.get("End") is True):
            self.add(SCHEMA, 'Exactly one of the fields "Next" or "End" must be set', where)
        for field in _EXPRESSION_FIELDS:
            if field in state:
                self.expressions(state[field], f"{where}/{field}")
        if isinstance(state.get("Assign"), dict):
            self.assign_names(state["Assign"], f"{where}/Assign")
        elif "Assign" in state:
            self.add(SCHEMA, 'The value for the field "Assign" must be an OBJECT', f"{where}/Assign")
        if "Items" in state and not (isinstance(state["Items"], list) or query.is_expression(state["Items"])):
            self.add(SCHEMA, 'The value for the field "Items" must be an array or a JSONata expression', where)
        if kind == "Choice":
            if not self.require(state, "Choices", where):
                return
            if not isinstance(state["Choices"], list) or not state["Choices"]:
                self.add(SCHEMA, 'The field "Choices" must be a non-empty array', f"{where}/Choices")
                return
            for i, rule in enumerate(state["Choices"]):
                at = f"{where}/Choices[{i}]"
                if not isinstance(rule, dict):
                    self.add(SCHEMA, "A choice rule must be an object", at)
                    continue
                self.require(rule, "Next", at)
                if self.require(rule, "Condition", at):
                    self.expressions(rule["Condition"], f"{at}/Condition")
                for key in rule:
                    if key not in ("Condition", "Next", "Assign", "Output", "Comment"):
                        self.add(SCHEMA, f'The field "{key}" is not supported for the JSONata query language', at)
                for field in ("Assign", "Output"):
                    if field in rule:
                        self.expressions(rule[field], f"{at}/{field}")
                if isinstance(rule.get("Assign"), dict):
                    self.assign_names(rule["Assign"], f"{at}/Assign")
        elif kind in ("Task", "Wait", "Parallel", "Map"):
            getattr(self, "state_" + kind.lower())(where.rsplit("/", 1)[-1], state, where)
        for at, catcher in self.retriers_and_catchers(state, where):
            if "ResultPath" in catcher:
                self.add(SCHEMA, 'The field "ResultPath" is not supported for the JSONata query language', at)
            for field in ("Assign", "Output"):
                if field in catcher:
                    self.expressions(catcher[field], f"{at}/{field}")
            if isinstance(catcher.get("Assign"), dict):
                self.assign_names(catcher["Assign"], f"{at}/Assign")

    def expressions(self, node: Any, where: str) -> None:
        for text in query.expressions(node):
            try:
                query.check(text)
            except query.QuerySyntaxError as error:
                self.add(SCHEMA, f"The JSONata expression '{text[2:-2].strip()}' is not valid: {error}", where)

    def retriers_and_catchers(self, state: dict[str, Any], where: str) -> list[tuple[str, dict[str, Any]]]:
        """Check Retry and Catch as both query languages do; the catchers (with their place) for the rest."""
        for i, retrier in enumerate(state.get("Retry", []) or []):
            self.retrier(retrier, f"{where}/Retry[{i}]")
        for field in ("Retry", "Catch"):
            self.error_equals(state.get(field) or [], f"{where}/{field}")
        catchers = []
        for i, catcher in enumerate(state.get("Catch", []) or []):
            at = f"{where}/Catch[{i}]"
            if isinstance(catcher, dict):
                self.require(catcher, "ErrorEquals", at)
                self.require(catcher, "Next", at)
                catchers.append((at, catcher))
        return catchers

    def error_equals(self, handlers: list[Any], where: str) -> None:
        """ASL: States.ALL appears alone, and only in the last retrier or catcher."""
        for i, handler in enumerate(handlers):
            names = handler.get("ErrorEquals") if isinstance(handler, dict) else None
            if not isinstance(names, list) or not names:
                self.add(SCHEMA, 'The field "ErrorEquals" must be a non-empty array', f"{where}[{i}]")
                continue
            if "States.ALL" in names and (len(names) > 1 or i != len(handlers) - 1):
                self.add(
                    SCHEMA,
                    'The value "States.ALL" must appear alone in "ErrorEquals", in the last element of the array',
                    f"{where}[{i}]/ErrorEquals",
                )

    def path(self, value: Any, field: str, where: str, *, reference: bool = False) -> None:
        """A path a state reads (``$``, ``$$`` or ``$variable``); a ResultPath writes, so only ``$``."""
        kind = "ReferencePath" if reference else "JSONPath"
        try:
            if not isinstance(value, str):
                raise paths.PathError(value)
            if field == "ResultPath" and (value.startswith("$$") or paths.variable_ref(value)):
                raise paths.PathError(value)
            segments = paths.parse_any(value)
            if reference and not all(s.kind in ("key", "index") for s in segments):
                raise paths.PathError(value)
        except paths.PathError:
            self.add(SCHEMA, f'The value for the field "{field}" must be a valid {kind}', where)

    def assign(self, spec: Any, where: str) -> None:
        """An Assign field: an object of valid variable names whose ``.$`` values are paths or intrinsics."""
        if not isinstance(spec, dict):
            self.add(SCHEMA, 'The value for the field "Assign" must be an OBJECT', where)
            return
        self.assign_names(spec, where)
        self.template(spec, where)

    def assign_names(self, spec: dict[str, Any], where: str) -> None:
        for key in spec:
            name = key[:-2] if key.endswith(".$") else key
            if not _VARIABLE_NAME.fullmatch(name) or len(name) > _MAX_VARIABLE_NAME:
                self.add(SCHEMA, f'The variable name "{name}" is not valid', where)
            elif name == "states":
                self.add(SCHEMA, 'The variable name "states" is reserved', where)

    def template(self, node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key.endswith(".$"):
                    if not isinstance(value, str):
                        self.add(SCHEMA, f"The value for the field '{key}' must be a STRING", where)
                    elif intrinsics.looks_intrinsic(value):
                        try:
                            intrinsics.parse(value)
                        except intrinsics.IntrinsicSyntaxError as error:
                            self.add(
                                SCHEMA,
                                f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic "
                                f"function call ({error})",
                                where,
                            )
                    else:
                        self.path(value, key, where)
                else:
                    if _looks_like_path(value):
                        self.add(
                            NO_DOLLAR,
                            f"The value of the field '{key}' looks like a JSONPath or an intrinsic function, but "
                            f"the field name does not end with '.$': it is used as a literal string",
                            f"{where}/{key}",
                        )
                    self.template(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                self.template(item, f"{where}[{i}]")

    def retrier(self, retrier: Any, where: str) -> None:
        if not isinstance(retrier, dict):
            self.add(SCHEMA, "A retrier must be an object", where)
            return
        self.require(retrier, "ErrorEquals", where)
        allowed = {
            "ErrorEquals",
            "IntervalSeconds",
            "MaxAttempts",
            "BackoffRate",
            "MaxDelaySeconds",
            "JitterStrategy",
            "Comment",
        }
        for key in retrier:
            if key not in allowed:
                self.add(SCHEMA, f'The field "{key}" is not supported by Step Functions', where)
        # ASL: IntervalSeconds and MaxDelaySeconds are positive integers, MaxAttempts a
        # non-negative one. Refused here, or a bad value would break the first retry.
        for field, check, what in (
            ("IntervalSeconds", _positive_int, "a positive integer"),
            ("MaxDelaySeconds", _positive_int, "a positive integer"),
            ("MaxAttempts", _non_negative_int, "a non-negative integer"),
        ):
            if field in retrier and not check(retrier[field]):
                self.add(SCHEMA, f'The value for the field "{field}" must be {what}', f"{where}/{field}")
        if "BackoffRate" in retrier and (not _number(retrier["BackoffRate"]) or retrier["BackoffRate"] < 1):
            self.add(SCHEMA, 'The value for the field "BackoffRate" must be at least 1.0', f"{where}/BackoffRate")
        if retrier.get("JitterStrategy", "NONE") not in ("FULL", "NONE"):
            self.add(SCHEMA, 'The value for the field "JitterStrategy" must be FULL or NONE', f"{where}/JitterStrategy")

    def state_task(self, name: str, state: dict[str, Any], where: str) -> None:
        if not self.require(state, "Resource", where):
            return
        if not isinstance(state["Resource"], str) or not state["Resource"].startswith("arn:"):
            self.add("INVALID_RESOURCE", f"The Resource {state['Resource']!r} is not a valid ARN", f"{where}/Resource")
            return
        resource = classify(str(state["Resource"]))
        if resource.kind == "unsupported" and not self.mocked(name):
            self.add(
                UNSUPPORTED,
                f"pytest-awsmsg cannot run Task {name!r}: {resource.why_unsupported}. Mock it with "
                f"aws.stepfunctions.mock_task({name!r}, ...) before creating the state machine",
                f"{where}/Resource",
            )
        if self.machine_type == "EXPRESS" and (resource.kind == "activity" or resource.pattern):
            what = "activities" if resource.kind == "activity" else f"the '{resource.pattern}' integration pattern"
            self.add(SCHEMA, f"Express state machines do not support {what}", f"{where}/Resource")
        for field in ("TimeoutSeconds", "HeartbeatSeconds"):
            if field in state and not _positive_int(state[field]) and not query.is_expression(state[field]):
                self.add(SCHEMA, f'The value for the field "{field}" must be a positive integer', f"{where}/{field}")
        if "TimeoutSeconds" in state and "TimeoutSecondsPath" in state:
            self.add(SCHEMA, 'The fields "TimeoutSeconds" and "TimeoutSecondsPath" are mutually exclusive', where)
        if (
            _positive_int(state.get("TimeoutSeconds"))
            and _positive_int(state.get("HeartbeatSeconds"))
            and state["HeartbeatSeconds"] >= state["TimeoutSeconds"]
        ):
            self.add(SCHEMA, "The value of HeartbeatSeconds must be smaller than the value of TimeoutSeconds", where)

    def state_choice(self, name: str, state: dict[str, Any], where: str) -> None:
        if not self.require(state, "Choices", where):
            return
        if not isinstance(state["Choices"], list) or not state["Choices"]:
            self.add(SCHEMA, 'The field "Choices" must be a non-empty array', f"{where}/Choices")
            return
        for i, rule in enumerate(state["Choices"]):
            at = f"{where}/Choices[{i}]"
            if isinstance(rule, dict):
                self.require(rule, "Next", at)
                if "Assign" in rule:
                    self.assign(rule["Assign"], f"{at}/Assign")
                    rule = {k: v for k, v in rule.items() if k != "Assign"}
            self.rule(rule, at)  # reports a rule that is not an object, too

    def rule(self, rule: Any, where: str) -> None:
        if not isinstance(rule, dict):
            self.add(SCHEMA, "A choice rule must be an object", where)
            return
        for combinator in ("And", "Or"):
            if combinator in rule:
                if not isinstance(rule[combinator], list) or not rule[combinator]:
                    self.add(SCHEMA, f'The field "{combinator}" must be a non-empty array', f"{where}/{combinator}")
                    return
                for i, inner in enumerate(rule[combinator]):
                    self.rule(inner, f"{where}/{combinator}[{i}]")
                return
        if "Not" in rule:
            self.rule(rule["Not"], f"{where}/Not")
            return
        operators = [k for k in rule if k in choice.OPERATORS]
        if len(operators) != 1:
            self.add(SCHEMA, "A choice rule must have exactly one comparison operator", where)
        if self.require(rule, "Variable", where):
            self.path(rule["Variable"], "Variable", f"{where}/Variable", reference=True)
        for op in operators:
            if op.endswith("Path"):
                self.path(rule[op], op, f"{where}/{op}", reference=True)
            elif not _OPERAND_CHECKS[_operand_kind(op)][0](rule[op]):
                # A literal of the wrong type would make the rule silently false at every run.
                what = _OPERAND_CHECKS[_operand_kind(op)][1]
                self.add(SCHEMA, f'The value for the field "{op}" must be {what}', f"{where}/{op}")

    def state_wait(self, name: str, state: dict[str, Any], where: str) -> None:
        forms = [k for k in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if k in state]
        if len(forms) != 1:
            self.add(
                SCHEMA, "A Wait state must have exactly one of Seconds, Timestamp, SecondsPath, TimestampPath", where
            )
        if "Seconds" in state and not query.is_expression(state["Seconds"]) and not _non_negative_int(state["Seconds"]):
            self.add(SCHEMA, 'The value for the field "Seconds" must be a non-negative integer', f"{where}/Seconds")
        if (
            "Timestamp" in state
            and not query.is_expression(state["Timestamp"])
            and choice.parse_timestamp(state["Timestamp"]) is None
        ):
            self.add(
                SCHEMA, 'The value for the field "Timestamp" must be a valid ISO 8601 timestamp', f"{where}/Timestamp"
            )

    def state_fail(self, name: str, state: dict[str, Any], where: str) -> None:
        for a, b in (("Error", "ErrorPath"), ("Cause", "CausePath")):
            if a in state and b in state:
                self.add(SCHEMA, f'The fields "{a}" and "{b}" are mutually exclusive', where)
            if b in state:
                value = state[b]
                if not (isinstance(value, str) and intrinsics.looks_intrinsic(value)):
                    self.path(value, b, f"{where}/{b}", reference=True)
                    continue
                try:
                    call = intrinsics.parse(value)
                except intrinsics.IntrinsicSyntaxError as error:
                    self.add(SCHEMA, str(error), f"{where}/{b}")
                    continue
                if call.name not in _FAIL_INTRINSICS:
                    self.add(
                        SCHEMA,
                        f'The value for the field "{b}" may only use the intrinsic functions '
                        f"{', '.join(sorted(_FAIL_INTRINSICS))}",
                        f"{where}/{b}",
                    )

    def state_parallel(self, name: str, state: dict[str, Any], where: str) -> None:
        if not self.require(state, "Branches", where):
            return
        if not isinstance(state["Branches"], list) or not state["Branches"]:
            # Refused here: with no branch to finish, the state would wait forever.
            self.add(SCHEMA, 'The field "Branches" must be a non-empty array', f"{where}/Branches")
            return
        for i, branch in enumerate(state["Branches"]):
            self.scope(branch, f"{where}/Branches[{i}]")

    def state_map(self, name: str, state: dict[str, Any], where: str) -> None:
        if "Iterator" in state and "ItemProcessor" in state:
            self.add(SCHEMA, 'The fields "Iterator" and "ItemProcessor" are mutually exclusive', where)
        if "ItemSelector" in state and "Parameters" in state:
            self.add(SCHEMA, 'The fields "ItemSelector" and "Parameters" are mutually exclusive', where)
        key = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
        if not self.require(state, key, where):
            return
        processor = state[key]
        config = processor.get("ProcessorConfig", {}) if isinstance(processor, dict) else {}
        if not isinstance(config, dict):
            self.add(SCHEMA, 'The field "ProcessorConfig" must be an object', f"{where}/{key}/ProcessorConfig")
            config = {}
        mode = config.get("Mode", "INLINE")
        # A distributed Map's iterations are child executions: they see no outer variable.
        outer = self.outer
        if mode == "DISTRIBUTED":
            self.outer = set()
        self.scope(processor, f"{where}/{key}")
        self.outer = outer
        if mode not in ("INLINE", "DISTRIBUTED"):
            self.add(
                SCHEMA, 'The value for the field "Mode" must be INLINE or DISTRIBUTED', f"{where}/{key}/ProcessorConfig"
            )
        if mode == "INLINE":
            for field in (
                "ItemBatcher",
                "ToleratedFailureCount",
                "ToleratedFailurePercentage",
                "Label",
                "ItemReader",
                "ResultWriter",
            ):
                if field in state:
                    self.add(SCHEMA, f'The field "{field}" is only supported by a Map state in DISTRIBUTED mode', where)
        for message, field in s3items.problems(state):
            self.add(SCHEMA, message, f"{where}/{field}")
        if "Label" in state:
            problem = _label_problem(state["Label"])
            if problem is None and state["Label"] in self.labels:
                problem = "Label must be unique within a state machine definition"
            if problem is not None:
                self.add(SCHEMA, problem, f"{where}/Label")
            else:
                self.labels.add(state["Label"])
        if (
            "MaxConcurrency" in state
            and not query.is_expression(state["MaxConcurrency"])
            and not _non_negative_int(state["MaxConcurrency"])
        ):
            self.add(
                SCHEMA,
                'The value for the field "MaxConcurrency" must be a non-negative integer',
                f"{where}/MaxConcurrency",
            )
        # Checked here, or a bad value would break the Map when it runs.
        count = state.get("ToleratedFailureCount")
        if count is not None and not _non_negative_int(count) and not query.is_expression(count):
            self.add(
                SCHEMA,
                'The value for the field "ToleratedFailureCount" must be a non-negative integer',
                f"{where}/ToleratedFailureCount",
            )
        batcher = state.get("ItemBatcher")
        if batcher is not None:
            if not isinstance(batcher, dict):
                self.add(SCHEMA, 'The field "ItemBatcher" must be an object', f"{where}/ItemBatcher")
            elif (
                "MaxItemsPerBatch" in batcher
                and not _positive_int(batcher["MaxItemsPerBatch"])
                and not query.is_expression(batcher["MaxItemsPerBatch"])
            ):
                self.add(
                    SCHEMA,
                    'The value for the field "MaxItemsPerBatch" must be a positive integer',
                    f"{where}/ItemBatcher/MaxItemsPerBatch",
                )
        pct = state.get("ToleratedFailurePercentage")
        if pct is not None and not query.is_expression(pct) and not (_number(pct) and 0 <= pct <= 100):
            self.add(SCHEMA, 'The value for the field "ToleratedFailurePercentage" must be between 0 and 100', where)


def _has_path(node: Any) -> bool:
    """Whether a static JSON value has a ``.$`` key or a string that looks like a path."""
    if isinstance(node, dict):
        return any(key.endswith(".$") or _has_path(value) for key, value in node.items())
    if isinstance(node, list):
        return any(_has_path(item) for item in node)
    return _looks_like_path(node)


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _operand_kind(operator: str) -> str:
    if operator in choice.COMPARISONS:
        return choice.COMPARISONS[operator][0]
    return "string" if operator == "StringMatches" else "test"  # IsNull, IsPresent...


_OPERAND_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "string": (lambda value: isinstance(value, str), "a string"),
    "number": (lambda value: _number(value), "a number"),
    "boolean": (lambda value: isinstance(value, bool), "a boolean"),
    "timestamp": (lambda value: choice.parse_timestamp(value) is not None, "an ISO 8601 timestamp"),
    "test": (lambda value: isinstance(value, bool), "a boolean"),
}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _positive_int(value: Any) -> bool:
    return _int(value) and value > 0


def _non_negative_int(value: Any) -> bool:
    return _int(value) and value >= 0


def _assignments(state: Any, where: str) -> list[tuple[str, str]]:
    """``(variable, location)`` for every variable a state's Assign fields (its own, its rules', its catchers') set."""
    if not isinstance(state, dict):
        return []
    fields: list[tuple[Any, str]] = [(state.get("Assign"), f"{where}/Assign")]
    for kind in ("Choices", "Catch"):
        for i, entry in enumerate(state.get(kind) or []):
            if isinstance(entry, dict):
                fields.append((entry.get("Assign"), f"{where}/{kind}[{i}]/Assign"))
    return [
        (key[:-2] if key.endswith(".$") else key, at) for spec, at in fields if isinstance(spec, dict) for key in spec
    ]


def assigns(state: Any) -> bool:
    """Whether a state (its own fields, its Choice rules or its catchers) has an Assign."""
    if not isinstance(state, dict):
        return False
    entries = [state, *(e for kind in ("Choices", "Catch") for e in state.get(kind) or [] if isinstance(e, dict))]
    return any("Assign" in entry for entry in entries)


def _targets(state: dict[str, Any]) -> list[Any]:
    return [target for target, _ in _targets_with_location(state, "")]


def _targets_with_location(state: dict[str, Any], where: str) -> list[tuple[Any, str]]:
    out: list[tuple[Any, str]] = []
    if "Next" in state:
        out.append((state["Next"], f"{where}/Next"))
    if state.get("Type") == "Choice":
        for i, rule in enumerate(state.get("Choices") or []):
            if isinstance(rule, dict) and "Next" in rule:
                out.append((rule["Next"], f"{where}/Choices[{i}]/Next"))
        if "Default" in state:
            out.append((state["Default"], f"{where}/Default"))
    for i, catcher in enumerate(state.get("Catch") or []):
        if isinstance(catcher, dict) and "Next" in catcher:
            out.append((catcher["Next"], f"{where}/Catch[{i}]/Next"))
    return out


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys its text gave more than once (json keeps the last)."""

    repeated: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    out = _Object(pairs)
    if len(out) != len(pairs):
        keys = [key for key, _ in pairs]
        out.repeated = tuple(key for key in out if keys.count(key) > 1)
    return out


def parse_definition(text: str) -> tuple[Any, list[Diagnostic]]:
    """The definition as JSON, or the diagnostic AWS gives for text that is empty or not JSON."""
    if not text.strip() or text.strip() == "null":
        return None, [("MISSING_DESCRIPTION", "The state machine definition is empty", None)]
    try:
        return json.loads(text, object_pairs_hook=_object), []
    except ValueError as error:
        return None, [("INVALID_JSON_DESCRIPTION", str(error), None)]


def diagnose(
    text: str, machine_type: str = "STANDARD", mocked: Callable[[str], bool] = lambda name: False
) -> list[Diagnostic]:
    """Every problem found in a definition, in the order AWS reports them."""
    definition, problems = parse_definition(text)
    if problems:
        return problems
    checker = _Checker(machine_type, mocked)
    checker.scope(definition, "", top=True)
    # AWS reports a missing end state alone when nothing else is wrong structurally.
    return checker.out
